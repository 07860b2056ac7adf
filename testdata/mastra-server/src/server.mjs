// Entry point: serves the Mastra instance with the same Hono server that `mastra build` bundles
// (@mastra/deployer's createNodeServer), bound to 127.0.0.1:$PORT (default 4111).
import { createNodeServer } from '@mastra/deployer/server';
import { mastra, weatherTool, deleteRecordTool } from './mastra.mjs';

await createNodeServer(mastra, {
  tools: { 'get-weather': weatherTool, 'delete-record': deleteRecordTool },
  studio: false,
  isDev: false,
});
