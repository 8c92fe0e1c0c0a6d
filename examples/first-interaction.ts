/**
 * From nothing to a routed interaction: a platform defines a skill, a queue and an agent, the
 * agent goes available, the platform submits a call, the agent is offered it, accepts and
 * completes it. Run it against `npm start` with the tokens that command prints:
 *
 *   export PLATFORM_TOKEN=… AGENT_TOKEN=…      (printed by npm start)
 *   npx tsx examples/first-interaction.ts
 */
import WebSocket from 'ws';
import { AgentClient, PlatformClient, type WebSocketConstructor } from '../src/index.ts';

const url = process.env.SWITCHBOARD_URL ?? 'ws://localhost:7070';
const WS = WebSocket as unknown as WebSocketConstructor; // browsers: leave out, the global WebSocket is used
const platform = new PlatformClient({ url, token: process.env.PLATFORM_TOKEN ?? '', WebSocket: WS });
const agent = new AgentClient({ url, token: process.env.AGENT_TOKEN ?? '', WebSocket: WS });

await platform.connect();
await platform.defineSkill('billing');
await platform.upsertQueue({ id: 'billing', serviceObjective: { percent: 80, thresholdMs: 20_000 } });
await platform.upsertAgent({ id: 'agent-1', skills: { billing: 7 } });

await agent.connect();
const offered = new Promise<{ offerId: string; interactionId: string }>((resolve) => agent.onOffer(resolve));
await agent.setState('available');

const id = `call-${Date.now()}`;
await platform.submit({ id, channel: 'voice', queue: 'billing', skills: { billing: 3 }, context: { caller: '+1 555 0100' } });
const offer = await offered;
console.log(`offered ${offer.interactionId} to agent-1 (offer ${offer.offerId})`);
await agent.accept(offer.offerId);
console.log('accepted:', (await platform.getInteraction(id)).interaction);
await agent.complete(id);
console.log('completed:', (await platform.getInteraction(id)).interaction);
platform.close();
agent.close();
