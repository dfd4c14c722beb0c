// The agent's browser softphone (apps/web/src/pages/voice/softphone.ts) on the app's realtime socket: registered
// while the agent has it switched on and the socket is up (the voice service forgets a browser whose socket
// closed, so it registers again after every reconnect). The choice is remembered in this browser.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Realtime } from '../../realtime/realtime.tsx';
import { BrowserSoftphone, type IncomingCall, type SoftphoneState } from '../voice/softphone.ts';

const STORAGE_KEY = 'kefu.softphone';

export interface Softphone {
  enabled: boolean;
  setEnabled(on: boolean): void;
  state: SoftphoneState;
  call: IncomingCall | undefined;
  /** The caller's audio while in a call (it arrives a moment after the answer). */
  remoteStream(): MediaStream | undefined;
  answer(): Promise<void>;
  reject(): Promise<void>;
  hangup(): Promise<void>;
  error: string | null;
}

/** `autoAnswer`: answer every ring at once (a supervisor's console, where the ring is the supervisor's own request). */
export function useSoftphone(realtime: Realtime, opts: { autoAnswer?: boolean } = {}): Softphone {
  const autoAnswer = opts.autoAnswer ?? false;
  const [enabled, setEnabledState] = useState(() => localStorage.getItem(STORAGE_KEY) !== 'off');
  const [state, setState] = useState<SoftphoneState>('unregistered');
  const [call, setCall] = useState<IncomingCall | undefined>();
  const [error, setError] = useState<string | null>(null);
  const phone = useRef<BrowserSoftphone | null>(null);

  useEffect(() => {
    if (!enabled || !realtime.connected) return;
    const p = new BrowserSoftphone(
      { request: (m, params) => realtime.request(m, params), onEvent: (l) => realtime.listen(l) },
      { autoAnswer, onChange: (s, c) => { setState(s); setCall(c); } },
    );
    phone.current = p;
    p.register().then(() => setError(null), (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
    return () => {
      phone.current = null;
      void p.unregister().catch(() => undefined);
      setState('unregistered');
      setCall(undefined);
    };
  }, [enabled, realtime, autoAnswer]);

  const setEnabled = useCallback((on: boolean) => {
    localStorage.setItem(STORAGE_KEY, on ? 'on' : 'off');
    setEnabledState(on);
  }, []);

  return {
    enabled,
    setEnabled,
    state,
    call,
    remoteStream: () => phone.current?.remoteStream,
    answer: async () => {
      try {
        await phone.current?.answer();
      } catch (e) {
        setError(e instanceof Error ? e.message : String(e));
        throw e;
      }
    },
    reject: async () => phone.current?.reject(),
    hangup: async () => phone.current?.hangup(),
    error,
  };
}
