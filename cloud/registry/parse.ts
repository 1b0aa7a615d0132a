/** Validation at the registry's edge: zod-parses input or raises InvalidRequestException with the issues. */
import type { z } from 'zod';
import { invalid } from '../errors.js';
import { describeZodError } from './schemas.js';

export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw invalid(describeZodError(result.error));
  return result.data;
}
