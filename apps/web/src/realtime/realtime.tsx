// One realtime WebSocket (/api/v1/realtime) for the whole signed-in app. It lives above the pages, so that an agent
// who opens the contacts page from the desktop stays connected: routing signs an agent out when their last socket
// closes, and a socket per page would do that on every navigation. Pages listen to pushed events, send requests
// (answered by correlation id) and subscribe to topics, which are subscribed again after every reconnect.
import { createContext, useContext, useEffect, useMemo, useRef, useSyncExternalStore, type ReactNode } from 'react';

export interface RealtimeEvent {
  name: string;
  topic?: string;
  data: unknown;
}

export interface Realtime {
  connected: boolean;
  request(method: string, params?: unknown): Promise<unknown>;
  subscribe(topic: string): void;
  /** Another listener of pushed events (e.g. the softphone), until the returned function is called. */
  listen(listener: (event: RealtimeEvent) => void): () => void;
}

const RECONNECT_MS = [500, 1000, 2000, 5000];

class RealtimeHub {
  private socket: WebSocket | null = null;
  private stopped = false;
  private attempts = 0;
  private retry: number | undefined;
  private nextId = 1;
  private readonly pending = new Map<string, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly topics = new Set<string>();
  private readonly listeners = new Set<(event: RealtimeEvent) => void>();
  private readonly watchers = new Set<() => void>();
  connected = false;

  start(): void {
    const socket = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/api/v1/realtime`);
    this.socket = socket;
    socket.onopen = () => {
      this.attempts = 0;
      this.setConnected(true);
      for (const topic of this.topics) this.send({ type: 'subscribe', id: `s${this.nextId++}`, topic });
    };
    socket.onmessage = (message) => {
      const data = JSON.parse(String(message.data)) as { type: string; id?: string; ok?: boolean; result?: unknown; error?: { message: string }; name?: string; topic?: string; data?: unknown };
      if (data.type === 'event') {
        const event: RealtimeEvent = { name: data.name!, data: data.data, ...(data.topic ? { topic: data.topic } : {}) };
        for (const listener of [...this.listeners]) listener(event);
      } else if (data.type === 'reply' && data.id) {
        const waiter = this.pending.get(data.id);
        this.pending.delete(data.id);
        if (data.ok) waiter?.resolve(data.result);
        else waiter?.reject(new Error(data.error?.message ?? 'request failed'));
      }
    };
    socket.onclose = () => {
      this.setConnected(false);
      for (const waiter of this.pending.values()) waiter.reject(new Error('disconnected'));
      this.pending.clear();
      if (this.stopped) return;
      this.retry = window.setTimeout(() => this.start(), RECONNECT_MS[Math.min(this.attempts++, RECONNECT_MS.length - 1)]);
    };
  }

  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.retry);
    this.socket?.close();
  }

  request(method: string, params?: unknown): Promise<unknown> {
    const id = `r${this.nextId++}`;
    return new Promise((resolve, reject) => {
      if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return reject(new Error('not connected'));
      this.pending.set(id, { resolve, reject });
      this.send({ type: 'request', id, method, params });
    });
  }

  subscribe(topic: string): void {
    if (this.topics.has(topic)) return;
    this.topics.add(topic);
    if (this.socket?.readyState === WebSocket.OPEN) this.send({ type: 'subscribe', id: `s${this.nextId++}`, topic });
  }

  listen(listener: (event: RealtimeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  watch = (onChange: () => void): (() => void) => {
    this.watchers.add(onChange);
    return () => this.watchers.delete(onChange);
  };

  private setConnected(value: boolean): void {
    this.connected = value;
    for (const w of [...this.watchers]) w();
  }

  private send(message: unknown): void {
    this.socket?.send(JSON.stringify(message));
  }
}

const HubContext = createContext<RealtimeHub | null>(null);

/** Holds the app's one socket while `enabled` (people who take work or watch it). */
export function RealtimeProvider(props: { enabled: boolean; children: ReactNode }) {
  const hub = useMemo(() => (props.enabled ? new RealtimeHub() : null), [props.enabled]);
  useEffect(() => {
    if (!hub) return;
    hub.start();
    return () => hub.stop();
  }, [hub]);
  return <HubContext.Provider value={hub}>{props.children}</HubContext.Provider>;
}

const offline: Realtime = {
  connected: false,
  request: () => Promise.reject(new Error('not connected')),
  subscribe: () => undefined,
  listen: () => () => undefined,
};

/** The app's socket, with `onEvent` called for every pushed event while the calling component is mounted. */
export function useRealtime(onEvent: (event: RealtimeEvent) => void): Realtime {
  const hub = useContext(HubContext);
  const listener = useRef(onEvent);
  listener.current = onEvent;
  useEffect(() => hub?.listen((event) => listener.current(event)), [hub]);
  const connected = useSyncExternalStore(hub?.watch ?? noWatch, () => hub?.connected ?? false);
  return useMemo<Realtime>(
    () =>
      hub
        ? { connected, request: (m, p) => hub.request(m, p), subscribe: (topic) => hub.subscribe(topic), listen: (l) => hub.listen(l) }
        : offline,
    [hub, connected],
  );
}

const noWatch = () => () => undefined;
