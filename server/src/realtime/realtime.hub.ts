// The realtime hub: the sockets of this node, topic subscriptions, request methods that modules register, and
// delivery to a user wherever their socket is (through the fanout). Modules reach it with `realtimeHubFor(ctx)`.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { ClientMessage, ServerMessage } from '@kefu/contracts';
import type { Actor } from '../platform/auth/actor.ts';
import { AppError } from '../platform/errors.ts';
import type { FanoutMessage, RealtimeFanout } from './realtime.fanout.ts';

/** One open socket, as the hub sees it (the WebSocket itself stays in realtime.routes.ts). */
export interface HubConnection {
  readonly id: string;
  readonly actor: Actor;
  readonly topics: Set<string>;
  /**
   * `serialized` gives the message as JSON, made once per delivery however many sockets get it (a chat message
   * goes to the visitor, the agent and every watcher); a socket that sends something else ignores it.
   */
  send(message: ServerMessage, serialized?: () => string): void;
}

export interface TopicRule {
  /** Whether the actor may watch the topic's argument; false answers "not found" (never confirms existence). */
  authorize(actor: Actor, argument: string): Promise<boolean> | boolean;
}

export interface RequestMethod<S extends z.ZodType> {
  params: S;
  run(actor: Actor, params: z.infer<S>): Promise<unknown> | unknown;
}

export type PresenceListener = (tenantId: string, userId: string, online: boolean) => void;

const userKey = (tenantId: string, userId: string) => `${tenantId}/${userId}`;

export class RealtimeHub {
  readonly nodeId = randomUUID();
  private readonly local = new Map<string, Set<HubConnection>>();
  private readonly byTopic = new Map<string, Set<HubConnection>>();
  private readonly topicRules = new Map<string, TopicRule>();
  private readonly methods = new Map<string, RequestMethod<z.ZodType>>();
  /** Which nodes hold sockets of each user (this node included). */
  private readonly presence = new Map<string, Set<string>>();
  private readonly presenceListeners = new Set<PresenceListener>();
  private readonly unsubscribe: () => void;

  constructor(private readonly fanout: RealtimeFanout) {
    this.unsubscribe = fanout.subscribe((m) => this.deliver(m));
  }

  // Registration by modules

  topic(kind: string, rule: TopicRule): void {
    if (this.topicRules.has(kind)) throw new Error(`realtime topic ${kind} is registered twice`);
    this.topicRules.set(kind, rule);
  }

  method<S extends z.ZodType>(name: string, method: RequestMethod<S>): void {
    if (this.methods.has(name)) throw new Error(`realtime method ${name} is registered twice`);
    this.methods.set(name, method as unknown as RequestMethod<z.ZodType>);
  }

  onPresence(listener: PresenceListener): () => void {
    this.presenceListeners.add(listener);
    return () => this.presenceListeners.delete(listener);
  }

  // Sending

  sendToUser(tenantId: string, userId: string, message: ServerMessage): void {
    this.fanout.publish({ kind: 'user', tenantId, userId, message });
  }

  publishTopic(tenantId: string, topic: string, message: ServerMessage): void {
    if (!this.hasTopicSubscribers(tenantId, topic) && this.isSingleNode) return;
    this.fanout.publish({ kind: 'topic', tenantId, topic, message });
  }

  /** Whether anyone on this node watches the topic (stats producers skip work nobody reads). */
  hasTopicSubscribers(tenantId: string, topic: string): boolean {
    return (this.byTopic.get(`${tenantId}/${topic}`)?.size ?? 0) > 0;
  }

  /** True when the fanout is in process, so local subscriptions are all there are. */
  isSingleNode = true;

  isOnline(tenantId: string, userId: string): boolean {
    return (this.presence.get(userKey(tenantId, userId))?.size ?? 0) > 0;
  }

  // Connections (called by the WebSocket route)

  attach(connection: HubConnection): void {
    const { tenantId, userId } = connection.actor;
    if (!userId) return;
    const key = userKey(tenantId, userId);
    const set = this.local.get(key) ?? new Set();
    set.add(connection);
    this.local.set(key, set);
    if (set.size === 1) this.fanout.publish({ kind: 'presence', tenantId, userId, nodeId: this.nodeId, online: true });
  }

  detach(connection: HubConnection): void {
    for (const topic of connection.topics) this.byTopic.get(`${connection.actor.tenantId}/${topic}`)?.delete(connection);
    connection.topics.clear();
    const { tenantId, userId } = connection.actor;
    if (!userId) return;
    const key = userKey(tenantId, userId);
    const set = this.local.get(key);
    if (!set?.delete(connection)) return;
    if (set.size === 0) {
      this.local.delete(key);
      this.fanout.publish({ kind: 'presence', tenantId, userId, nodeId: this.nodeId, online: false });
    }
  }

  /** Handles one parsed client message and returns the answer to send back (every message has one). */
  async handle(connection: HubConnection, message: ClientMessage): Promise<ServerMessage> {
    try {
      switch (message.type) {
        case 'ping':
          return { type: 'pong', id: message.id };
        case 'subscribe':
          await this.subscribe(connection, message.topic);
          return { type: 'reply', id: message.id, ok: true };
        case 'unsubscribe':
          connection.topics.delete(message.topic);
          this.byTopic.get(`${connection.actor.tenantId}/${message.topic}`)?.delete(connection);
          return { type: 'reply', id: message.id, ok: true };
        case 'request': {
          const method = this.methods.get(message.method);
          if (!method) throw new AppError('NOT_FOUND', `no method ${message.method}`);
          const params = method.params.safeParse(message.params ?? {});
          if (!params.success) {
            const issue = params.error.issues[0];
            throw new AppError('VALIDATION_FAILED', `${issue?.path.join('.') || 'params'}: ${issue?.message ?? 'is invalid'}`);
          }
          return { type: 'reply', id: message.id, ok: true, result: (await method.run(connection.actor, params.data)) ?? null };
        }
      }
    } catch (err) {
      const error = err instanceof AppError ? { code: err.code, message: err.message } : { code: 'INTERNAL', message: 'internal error' };
      return { type: 'reply', id: message.id, ok: false, error };
    }
  }

  private async subscribe(connection: HubConnection, topic: string): Promise<void> {
    const colon = topic.indexOf(':');
    const rule = this.topicRules.get(topic.slice(0, colon));
    if (!rule || !(await rule.authorize(connection.actor, topic.slice(colon + 1)))) throw new AppError('NOT_FOUND', `topic ${topic} not found`);
    connection.topics.add(topic);
    const key = `${connection.actor.tenantId}/${topic}`;
    const set = this.byTopic.get(key) ?? new Set();
    set.add(connection);
    this.byTopic.set(key, set);
  }

  private deliver(m: FanoutMessage): void {
    if (m.kind === 'user' || m.kind === 'topic') {
      const connections = m.kind === 'user' ? this.local.get(userKey(m.tenantId, m.userId)) : this.byTopic.get(`${m.tenantId}/${m.topic}`);
      if (!connections) return;
      let text: string | undefined;
      const serialized = () => (text ??= JSON.stringify(m.message));
      for (const connection of connections) connection.send(m.message, serialized);
    } else {
      const key = userKey(m.tenantId, m.userId);
      const nodes = this.presence.get(key) ?? new Set<string>();
      const before = nodes.size > 0;
      if (m.online) nodes.add(m.nodeId);
      else nodes.delete(m.nodeId);
      if (nodes.size) this.presence.set(key, nodes);
      else this.presence.delete(key);
      if (before !== nodes.size > 0) for (const listener of this.presenceListeners) listener(m.tenantId, m.userId, !before);
    }
  }

  async close(): Promise<void> {
    this.unsubscribe();
    await this.fanout.close();
  }
}
