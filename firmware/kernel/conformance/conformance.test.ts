import { describe, expect, test } from 'vitest';
import { scenarios } from './index.js';

describe('kernel conformance on Node (virtual clock)', () => {
  for (const s of scenarios) {
    test(`${s.name} (${s.demo}) preemptive`, () => {
      expect(s.run(true)).toEqual(s.expected.preemptive);
    });
    test(`${s.name} (${s.demo}) cooperative`, () => {
      expect(s.run(false)).toEqual(s.expected.cooperative);
    });
  }
});
