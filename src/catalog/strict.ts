import { z, type ZodTypeAny } from 'zod';

const cache = new WeakMap<ZodTypeAny, ZodTypeAny>();

/**
 * The same schema with every object in it strict (unknown keys are an issue), so a misspelt param
 * (`variable:` for `variables:`) is refused at load instead of silently ignored. Probes declare
 * plain `z.object`s; the catalog applies this once per probe.
 */
export function strictDeep<T extends ZodTypeAny>(schema: T): T {
  const cached = cache.get(schema);
  if (cached) return cached as T;
  const made = build(schema);
  cache.set(schema, made);
  return made as T;
}

function build(schema: ZodTypeAny): ZodTypeAny {
  if (schema instanceof z.ZodObject) {
    const shape: Record<string, ZodTypeAny> = {};
    for (const [key, value] of Object.entries(schema.shape as Record<string, ZodTypeAny>)) shape[key] = strictDeep(value);
    const rebuilt = new z.ZodObject({ ...schema._def, shape: () => shape, unknownKeys: 'strict' });
    return rebuilt;
  }
  if (schema instanceof z.ZodDefault) return new z.ZodDefault({ ...schema._def, innerType: strictDeep(schema._def.innerType) });
  if (schema instanceof z.ZodOptional) return new z.ZodOptional({ ...schema._def, innerType: strictDeep(schema._def.innerType) });
  if (schema instanceof z.ZodNullable) return new z.ZodNullable({ ...schema._def, innerType: strictDeep(schema._def.innerType) });
  if (schema instanceof z.ZodArray) return new z.ZodArray({ ...schema._def, type: strictDeep(schema._def.type) });
  if (schema instanceof z.ZodRecord) return new z.ZodRecord({ ...schema._def, valueType: strictDeep(schema._def.valueType) });
  if (schema instanceof z.ZodEffects) return new z.ZodEffects({ ...schema._def, schema: strictDeep(schema._def.schema) });
  if (schema instanceof z.ZodUnion) return new z.ZodUnion({ ...schema._def, options: schema._def.options.map((option: ZodTypeAny) => strictDeep(option)) });
  if (schema instanceof z.ZodDiscriminatedUnion) return z.discriminatedUnion(schema._def.discriminator, [...schema._def.options.values()].map((option: ZodTypeAny) => strictDeep(option)) as never);
  return schema;
}

/** The keys an object schema at `path` (inside `schema`) knows, for a did-you-mean. */
export function keysAt(schema: ZodTypeAny, path: readonly (string | number)[]): string[] {
  let node: ZodTypeAny | undefined = schema;
  for (const step of [...path, undefined]) {
    node = unwrap(node);
    if (step === undefined) break;
    if (node instanceof z.ZodObject) node = (node.shape as Record<string, ZodTypeAny>)[String(step)];
    else if (node instanceof z.ZodArray) node = node._def.type;
    else if (node instanceof z.ZodRecord) node = node._def.valueType;
    else return [];
  }
  return node instanceof z.ZodObject ? Object.keys(node.shape as object) : [];
}

function unwrap(schema: ZodTypeAny | undefined): ZodTypeAny | undefined {
  let node = schema;
  while (node instanceof z.ZodDefault || node instanceof z.ZodOptional || node instanceof z.ZodNullable || node instanceof z.ZodEffects) {
    node = node instanceof z.ZodEffects ? node._def.schema : node._def.innerType;
  }
  return node;
}
