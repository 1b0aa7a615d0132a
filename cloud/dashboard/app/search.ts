/** Where and why the cloud refused a fleet search query: GET /search reports `1:{column}: {reason}` for `query.query`. */
import type { ApiError } from './api.js';

export interface QueryProblem {
  /** 1-based column in the query, when the API named one. */
  column?: number;
  reason: string;
}

/** The query's problem in a 400 from GET /search; undefined when the refusal is about something else. */
export function queryProblem(error: ApiError): QueryProblem | undefined {
  if (error.status !== 400) return undefined;
  const issue = error.issues.find((i) => i.path === 'query.query');
  if (!issue) return undefined;
  const at = /^1:(\d+): (.*)$/s.exec(issue.message);
  return at ? { column: Number(at[1]), reason: at[2]! } : { reason: issue.message };
}
