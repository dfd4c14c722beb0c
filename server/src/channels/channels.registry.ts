// The channel adapters Kefu runs, by channel (STYLE.md: registries, not switches). Adding a channel is adding
// its adapter folder and a line here; the contract test runs against every entry.
import type { Channel } from '../conversations/interactions.service.ts';
import type { RealtimeHub } from '../realtime/realtime.hub.ts';
import type { ChannelAdapter } from './channel-adapter.ts';
import { webchatAdapter } from './webchat/webchat.adapter.ts';

export function channelAdapters(hub: RealtimeHub) {
  return { chat: webchatAdapter(hub) } satisfies Partial<Record<Channel, ChannelAdapter<never>>>;
}
