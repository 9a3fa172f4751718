import { zodToJsonSchema } from 'zod-to-json-schema';
import type { Probe } from '../engine/types.js';
import { catalogSchema } from './schema.js';
import { strictDeep } from './strict.js';

type JsonSchema = Record<string, unknown>;

/**
 * The catalog's JSON Schema for editors: the entry shape from the zod schema, `probe:` limited to the
 * registered ids, and each probe's params (strict, with defaults and descriptions) chosen by
 * `if probe is X then params is ...`, so completion offers the right params for the entry's probe.
 */
export function catalogJsonSchema(probes: Iterable<Probe>): JsonSchema {
  const schema = zodToJsonSchema(catalogSchema, { name: 'BazaarhubCheckCatalog', $refStrategy: 'none' }) as JsonSchema & { definitions: Record<string, JsonSchema> };
  const root = schema.definitions.BazaarhubCheckCatalog as { properties: Record<string, JsonSchema> };
  const entry = (root.properties.entries as { items: JsonSchema & { properties: Record<string, JsonSchema> } }).items;
  const list = [...probes];
  entry.properties.probe = { type: 'string', enum: list.map((probe) => probe.id), description: 'the probe that verifies this entry (`bazaarhub-check probes`)' };
  entry.allOf = list.map((probe) => {
    const params = zodToJsonSchema(strictDeep(probe.params), { $refStrategy: 'none' }) as JsonSchema;
    delete params.$schema;
    return {
      if: { properties: { probe: { const: probe.id } }, required: ['probe'] },
      then: { properties: { params: { ...params, description: `params of ${probe.id}: ${probe.description}` } } },
    };
  });
  return schema;
}
