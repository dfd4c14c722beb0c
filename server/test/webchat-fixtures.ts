// Web chat test helpers: a chat queue that agent1 answers, the widget built for browser tests, and a stored chat
// attachment for suites that need one object of every kind (tenant isolation): a chat interaction, an image
// attachment and the customer message that carries it (so the transcript names it).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { ChannelsModule } from '../src/channels/channels.module.ts';
import type { ConversationsModule } from '../src/conversations/conversations.module.ts';
import type { Kefu } from '../src/main.ts';
import { TestClient } from './http-client.ts';
import type { TestKefu } from './kefu-server.ts';

export const TEST_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFklEQVR4nGP8z8DwnwEIGBkZGRgAAB4LAgFDdI5fAAAAAElFTkSuQmCC', 'base64');

/** The interaction of each attachment made here, for the suite's read-back URL. */
export const attachmentInteractions = new Map<string, string>();

export async function storedTestAttachment(kefu: Kefu, tenantId: string, divisionId: string): Promise<string> {
  const conversations = kefu.modules.conversations as ConversationsModule;
  const channels = kefu.modules.channels as ChannelsModule;
  const interaction = await conversations.interactions.open(tenantId, { divisionId, channel: 'chat', direction: 'inbound', from: 'visitor:fixture', to: 'widget:fixture' });
  const attachment = await channels.attachments.store(tenantId, interaction.id, { data: TEST_PNG, fileName: 'fixture.png', uploadedBy: 'customer' });
  await conversations.messages.append(tenantId, interaction.id, { sender: 'customer', body: '', attachmentId: attachment.id });
  attachmentInteractions.set(attachment.id, interaction.id);
  return attachment.id;
}

const widgetDist = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'apps', 'widget', 'dist');

/** CI builds everything first; a developer running one test file gets the widget built here. */
export function ensureWidgetBuilt(): void {
  if (existsSync(join(widgetDist, 'chat.html')) && existsSync(join(widgetDist, 'loader.js'))) return;
  execFileSync('npm', ['run', 'build', '-w', '@kefu/widget'], { cwd: join(widgetDist, '..', '..', '..'), stdio: 'pipe', timeout: 180_000 });
}

/**
 * agent1 signed in, and a chat queue `name` in the demo tenant's first division with agent1 as its member and no
 * after-chat work (so that agent1 can take the next test's chat at once).
 */
export async function chatQueueForAgent1(server: TestKefu, admin: TestClient, name: string): Promise<{ agent: TestClient; agentId: string; divisionId: string; queueId: string }> {
  const agent = await TestClient.login(server.baseUrl, 'agent1@demo.kefu', server.password);
  const agentId = (await agent.get('/api/v1/me')).body.user.id;
  const divisionId = (await admin.get('/api/v1/divisions')).body[0].id;
  const queue = await admin.post('/api/v1/routing/queues', { name, divisionId, channels: ['chat'], acwSeconds: 0 });
  expect(queue.status, JSON.stringify(queue.body)).toBe(201);
  expect((await admin.request('PUT', `/api/v1/routing/queues/${queue.body.id}/members/${agentId}`, {})).status).toBe(200);
  return { agent, agentId, divisionId, queueId: queue.body.id };
}
