/**
 * Topic names and filters [MQTT-4.7]: syntax checks, and matching a topic against a filter.
 */
import { utf8Encode } from '../bytes.js';

/** Why `topic` cannot be published to, or undefined if it can. */
export function topicNameProblem(topic: string): string | undefined {
  if (typeof topic !== 'string' || topic.length === 0) return 'a topic name must be a non-empty string [MQTT-4.7.3-1]';
  if (topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) return `topic "${topic}" contains a wildcard; only filters may [MQTT-4.7.1-1]`;
  return textProblem(topic, 'topic');
}

/** Why `filter` cannot be subscribed to, or undefined if it can. */
export function topicFilterProblem(filter: string): string | undefined {
  if (typeof filter !== 'string' || filter.length === 0) return 'a topic filter must be a non-empty string [MQTT-4.7.3-1]';
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.indexOf('#') >= 0 && (level !== '#' || i !== levels.length - 1)) return `filter "${filter}": '#' must be a whole level, the last [MQTT-4.7.1-2]`;
    if (level.indexOf('+') >= 0 && level !== '+') return `filter "${filter}": '+' must be a whole level [MQTT-4.7.1-3]`;
  }
  return textProblem(filter, 'filter');
}

function textProblem(text: string, what: string): string | undefined {
  if (text.indexOf('\u0000') >= 0) return `${what} contains U+0000 [MQTT-4.7.3-2]`;
  if (utf8Encode(text).length > 65535) return `${what} is longer than 65535 bytes [MQTT-4.7.3-3]`;
  return undefined;
}

/**
 * Whether `topic` matches `filter`. `+` matches one level, `#` the rest (including none); a topic
 * starting with `$` is not matched by a filter starting with a wildcard [MQTT-4.7.2-1].
 */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.charAt(0) === '$' && (filter.charAt(0) === '+' || filter.charAt(0) === '#')) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
