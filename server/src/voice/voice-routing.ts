// The port through which the voice service asks "who should take this call?". The routing module (issue 7)
// will implement it with real queues, skills and presence; until then BuiltInVoiceRouting offers a call to every
// agent of the number's division whose extension is registered and not already on a call (ring-all).
import type { VoiceDirectory } from './voice-directory.ts';

export interface QueuedCall {
  tenantId: string;
  divisionId: string;
  interactionId: string;
  from: string;
  to: string;
  flowId: string | null;
}

export interface AgentTarget {
  userId: string;
  extension: string;
}

export interface VoiceRouting {
  /** Agents to ring now for a waiting call (all at once); empty when nobody is available yet. */
  candidates(call: QueuedCall): Promise<AgentTarget[]>;
}

/** What the built-in stand-in needs to know about phones and calls. */
export interface DevicePresence {
  isRegistered(tenantId: string, extension: string): boolean;
  isBusy(tenantId: string, userId: string): boolean;
}

export class BuiltInVoiceRouting implements VoiceRouting {
  constructor(private readonly directory: VoiceDirectory, private readonly presence: DevicePresence) {}

  async candidates(call: QueuedCall): Promise<AgentTarget[]> {
    const devices = await this.directory.agentDevices(call.tenantId, call.divisionId);
    return devices
      .filter((d) => this.presence.isRegistered(call.tenantId, d.extension) && !this.presence.isBusy(call.tenantId, d.userId))
      .map((d) => ({ userId: d.userId, extension: d.extension }));
  }
}
