// Deterministic mock language models (AI SDK v6 `MockLanguageModelV3` from `ai/test`).
//
// Nothing here talks to a network. Every answer depends only on the prompt:
//   - usage: inputTokens = number of whitespace-separated words in all text parts of the
//     prompt (system + user + assistant text; tool calls/results are not counted),
//     outputTokens = words in the generated text (1 for a tool-call step);
//   - response metadata: id `mock-resp-<n>` (n counts doStream/doGenerate calls per model
//     since server start), timestamp 2026-01-01T00:00:00.000Z, modelId;
//   - text is streamed word by word (each delta keeps its trailing space), text id `txt-0`;
//   - a last user message containing `__mock_error__` makes the model fail with
//     `mock model failure (requested with __mock_error__)` (doStream: an `error` stream part
//     after stream-start/response-metadata; doGenerate: a thrown Error).
import { MockLanguageModelV3 } from 'ai/test';

export const MOCK_ERROR_TRIGGER = '__mock_error__';
export const MOCK_ERROR_MESSAGE = 'mock model failure (requested with __mock_error__)';
const TIMESTAMP = new Date('2026-01-01T00:00:00.000Z');

function textOfPart(part) {
  if (typeof part === 'string') return part;
  if (part && part.type === 'text' && typeof part.text === 'string') return part.text;
  return '';
}

function textOfMessage(msg) {
  if (!msg) return '';
  if (typeof msg.content === 'string') return msg.content;
  if (Array.isArray(msg.content)) return msg.content.map(textOfPart).filter(Boolean).join(' ');
  return '';
}

function countWords(s) {
  const t = s.trim();
  return t === '' ? 0 : t.split(/\s+/).length;
}

function promptWords(prompt) {
  return prompt.reduce((n, m) => n + countWords(textOfMessage(m)), 0);
}

export function lastUserText(prompt) {
  for (let i = prompt.length - 1; i >= 0; i--) {
    if (prompt[i].role === 'user') return textOfMessage(prompt[i]);
  }
  return '';
}

/** Tool results of the last message when it is a `tool` message, else []. */
function trailingToolResults(prompt) {
  const last = prompt[prompt.length - 1];
  if (!last || last.role !== 'tool' || !Array.isArray(last.content)) return [];
  return last.content.filter((p) => p && p.type === 'tool-result');
}

function usage(input, output) {
  return {
    inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: output, text: output, reasoning: 0 },
  };
}

function words(text) {
  // "a b c" -> ["a ", "b ", "c"]
  return text.match(/\S+\s*/g) ?? [];
}

/**
 * A step plan is {kind:'text', text} or {kind:'tool-call', toolCallId, toolName, input}.
 */
function planToStreamParts(plan, meta, inputTokens) {
  const parts = [{ type: 'stream-start', warnings: [] }, { type: 'response-metadata', ...meta }];
  if (plan.kind === 'tool-call') {
    const inputJson = JSON.stringify(plan.input);
    parts.push(
      { type: 'tool-input-start', id: plan.toolCallId, toolName: plan.toolName },
      { type: 'tool-input-delta', id: plan.toolCallId, delta: inputJson },
      { type: 'tool-input-end', id: plan.toolCallId },
      { type: 'tool-call', toolCallId: plan.toolCallId, toolName: plan.toolName, input: inputJson },
      {
        type: 'finish',
        finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
        usage: usage(inputTokens, 1),
      },
    );
  } else {
    parts.push({ type: 'text-start', id: 'txt-0' });
    for (const w of words(plan.text)) parts.push({ type: 'text-delta', id: 'txt-0', delta: w });
    parts.push(
      { type: 'text-end', id: 'txt-0' },
      {
        type: 'finish',
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: usage(inputTokens, countWords(plan.text)),
      },
    );
  }
  return parts;
}

function planToGenerateResult(plan, meta, inputTokens) {
  if (plan.kind === 'tool-call') {
    return {
      content: [
        {
          type: 'tool-call',
          toolCallId: plan.toolCallId,
          toolName: plan.toolName,
          input: JSON.stringify(plan.input),
        },
      ],
      finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
      usage: usage(inputTokens, 1),
      warnings: [],
      response: meta,
    };
  }
  return {
    content: [{ type: 'text', text: plan.text }],
    finishReason: { unified: 'stop', raw: 'stop' },
    usage: usage(inputTokens, countWords(plan.text)),
    warnings: [],
    response: meta,
  };
}

function arrayToStream(parts) {
  return new ReadableStream({
    start(controller) {
      for (const p of parts) controller.enqueue(p);
      controller.close();
    },
  });
}

/**
 * Builds a deterministic MockLanguageModelV3.
 * @param {string} modelId
 * @param {(prompt: any[]) => object} planner returns the step plan for a prompt
 */
export function createMockModel(modelId, planner) {
  let calls = 0;
  const prepare = (options) => {
    calls += 1;
    const prompt = options.prompt ?? [];
    const meta = { id: `mock-resp-${calls}`, timestamp: TIMESTAMP, modelId };
    const fail = lastUserText(prompt).includes(MOCK_ERROR_TRIGGER);
    return { fail, plan: fail ? undefined : planner(prompt), meta, inputTokens: promptWords(prompt) };
  };
  return new MockLanguageModelV3({
    provider: 'mock',
    modelId,
    doStream: async (options) => {
      const { fail, plan, meta, inputTokens } = prepare(options);
      if (fail) {
        // The failure arrives as an `error` stream part after the response metadata, as a
        // provider's mid-stream error would.
        const error = new Error(MOCK_ERROR_MESSAGE);
        return {
          stream: arrayToStream([
            { type: 'stream-start', warnings: [] },
            { type: 'response-metadata', ...meta },
            { type: 'error', error },
          ]),
          request: {},
          response: {},
        };
      }
      return { stream: arrayToStream(planToStreamParts(plan, meta, inputTokens)), request: {}, response: {} };
    },
    doGenerate: async (options) => {
      const { fail, plan, meta, inputTokens } = prepare(options);
      if (fail) throw new Error(MOCK_ERROR_MESSAGE);
      return planToGenerateResult(plan, meta, inputTokens);
    },
  });
}

// ---------------------------------------------------------------------------
// Planners

/** "What is the weather in Paris?" -> "Paris"; "weather for New York" -> "New York". */
export function parseCity(text, fallback = 'London') {
  const re = /\b(?:in|for|at)\s+([A-Z][\p{L}'.-]*(?:\s+[A-Z][\p{L}'.-]*)*)/gu;
  let city;
  for (const m of text.matchAll(re)) city = m[1];
  return city ? city.replace(/[.]+$/, '') : fallback;
}

export const weatherModel = createMockModel('mock-weather', (prompt) => {
  const results = trailingToolResults(prompt).filter((r) => r.toolName === 'get-weather');
  if (results.length > 0) {
    const r = results[0];
    const value = r.output && r.output.type === 'json' ? r.output.value : undefined;
    const city = (value && value.location) || parseCity(lastUserText(prompt));
    const temp = value && typeof value.temperature === 'number' ? value.temperature : 21;
    const conditions = ((value && value.conditions) || 'Sunny').toLowerCase();
    return { kind: 'text', text: `The weather in ${city} is ${conditions} with a temperature of ${temp}°C.` };
  }
  return {
    kind: 'tool-call',
    toolCallId: 'call_get_weather_001',
    toolName: 'get-weather',
    input: { location: parseCity(lastUserText(prompt)) },
  };
});

export const echoModel = createMockModel('mock-echo', (prompt) => ({
  kind: 'text',
  text: `You said: ${lastUserText(prompt)}`,
}));

/** "delete record rec-42" -> "rec-42"; default "rec-1". */
export function parseRecordId(text) {
  const m = text.match(/\brec-[A-Za-z0-9_-]+/);
  return m ? m[0] : 'rec-1';
}

export const approvalModel = createMockModel('mock-approval', (prompt) => {
  const results = trailingToolResults(prompt).filter((r) => r.toolName === 'delete-record');
  if (results.length > 0) {
    const r = results[0];
    const value = r.output && r.output.type === 'json' ? r.output.value : undefined;
    if (value && value.deleted === true) {
      return { kind: 'text', text: `Record ${value.recordId} was deleted.` };
    }
    return { kind: 'text', text: `Record ${parseRecordId(lastUserText(prompt))} was not deleted.` };
  }
  return {
    kind: 'tool-call',
    toolCallId: 'call_delete_record_001',
    toolName: 'delete-record',
    input: { recordId: parseRecordId(lastUserText(prompt)) },
  };
});
