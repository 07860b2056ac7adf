// The Mastra instance served to the mastra-go integration tests.
// Agents: weatherAgent (tool get-weather), echoAgent (no tools), approvalAgent (tool delete-record,
// requireApproval: true). All use deterministic mock models (see mock-models.mjs) and share one
// in-memory LibSQL store (threads, messages, workflow snapshots for suspended runs).
import { Mastra } from '@mastra/core/mastra';
import { Agent } from '@mastra/core/agent';
import { createTool } from '@mastra/core/tools';
import { Memory } from '@mastra/memory';
import { LibSQLStore } from '@mastra/libsql';
import { z } from 'zod';
import { weatherModel, echoModel, approvalModel } from './mock-models.mjs';

export const weatherTool = createTool({
  id: 'get-weather',
  description: 'Get the current weather for a location',
  inputSchema: z.object({ location: z.string().describe('City name') }),
  outputSchema: z.object({ temperature: z.number(), conditions: z.string(), location: z.string() }),
  execute: async (input) => ({ temperature: 21, conditions: 'Sunny', location: input.location }),
});

export const deleteRecordTool = createTool({
  id: 'delete-record',
  description: 'Delete a record by id (needs human approval)',
  inputSchema: z.object({ recordId: z.string().describe('Record id, e.g. rec-1') }),
  outputSchema: z.object({ deleted: z.boolean(), recordId: z.string() }),
  requireApproval: true,
  execute: async (input) => ({ deleted: true, recordId: input.recordId }),
});

const storage = new LibSQLStore({ id: 'mastra-go-test-storage', url: process.env.MASTRA_TEST_DB_URL || ':memory:' });
const memory = () => new Memory();

export const weatherAgent = new Agent({
  id: 'weatherAgent',
  name: 'Weather Agent',
  description: 'Answers weather questions using the get-weather tool (deterministic mock model).',
  instructions:
    'You are a helpful weather assistant. When asked about the weather for a location, call the get-weather tool and report the temperature and conditions.',
  model: weatherModel,
  tools: { 'get-weather': weatherTool },
  memory: memory(),
});

export const echoAgent = new Agent({
  id: 'echoAgent',
  name: 'Echo Agent',
  description: 'Echoes the last user message (deterministic mock model).',
  instructions: 'You repeat back what the user said, prefixed with "You said: ".',
  model: echoModel,
  memory: memory(),
});

export const approvalAgent = new Agent({
  id: 'approvalAgent',
  name: 'Approval Agent',
  description: 'Deletes records with the delete-record tool, which requires approval (deterministic mock model).',
  instructions: 'You delete records when asked. Always call the delete-record tool.',
  model: approvalModel,
  tools: { 'delete-record': deleteRecordTool },
  memory: memory(),
});

export const mastra = new Mastra({
  agents: { weatherAgent, echoAgent, approvalAgent },
  storage,
  server: {
    host: '127.0.0.1',
    port: Number(process.env.PORT) || 4111,
  },
});
