// A business module plugs in through the KefuModule interface: routes, demo data, start and stop.
import { expect, test } from 'vitest';
import type { DemoTenant, KefuModule } from '../src/module.ts';
import { TestClient } from './http-client.ts';
import { startKefu } from './kefu-server.ts';

test('a module registers routes, seeds the demo tenant, and is started and stopped with Kefu', async () => {
  const calls: string[] = [];
  let demo: DemoTenant | undefined;
  const server = await startKefu({
    extraModules: [
      (ctx): KefuModule => ({
        name: 'probe',
        routes(app) {
          app.get('/api/v1/probe', { config: { access: { permission: 'authenticated' } } }, async (request) => ({ tenantId: request.actor!.tenantId }));
        },
        async seedDemo(tenant) {
          demo = tenant;
          calls.push(`seed:${ctx.config.demo.enabled}`);
        },
        async start() {
          calls.push('start');
        },
        async stop() {
          calls.push('stop');
        },
      }),
    ],
  });
  const agent = await TestClient.login(server.baseUrl, 'agent1@demo.kefu', server.password);
  const reply = await agent.get('/api/v1/probe');
  expect(reply.body.tenantId).toBe(demo?.tenantId);
  expect(demo?.userIds['agent1@demo.kefu']).toMatch(/^[0-9a-f-]{36}$/);
  expect(server.kefu.modules.probe?.name).toBe('probe');
  await server.stop();
  expect(calls).toEqual(['seed:true', 'start', 'stop']);
});

test('a module route without an access declaration is refused at startup', async () => {
  await expect(
    startKefu({
      extraModules: [
        () => ({
          name: 'careless',
          routes(app) {
            app.get('/api/v1/careless', async () => ({ open: true }));
          },
        }),
      ],
    }),
  ).rejects.toThrow(/declares no access/);
});
