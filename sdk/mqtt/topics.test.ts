import { describe, expect, it } from 'vitest';
import { topicFilterProblem, topicMatches, topicNameProblem } from './topics.js';

describe('topics', () => {
  it('matches as MQTT 4.7 says, including its own examples', () => {
    const yes: [string, string][] = [
      ['sport/tennis/player1/#', 'sport/tennis/player1'],
      ['sport/tennis/player1/#', 'sport/tennis/player1/ranking'],
      ['sport/tennis/player1/#', 'sport/tennis/player1/score/wimbledon'],
      ['sport/#', 'sport'],
      ['sport/tennis/+', 'sport/tennis/player1'],
      ['+/+', '/finance'],
      ['/+', '/finance'],
      ['+', 'a'],
      ['#', 'a/b/c'],
      ['$SYS/#', '$SYS/broker/clients'],
      ['$aws/things/+/shadow/update/delta', '$aws/things/t1/shadow/update/delta'],
    ];
    const no: [string, string][] = [
      ['sport/tennis/+', 'sport/tennis/player1/ranking'],
      ['sport/+', 'sport'],
      ['+', '/finance'],
      ['#', '$SYS/broker'],
      ['+/monitor/Clients', '$SYS/monitor/Clients'],
      ['a/b', 'a/b/c'],
      ['a/b/c', 'a/b'],
    ];
    for (const [f, t] of yes) expect(topicMatches(f, t), `${f} ~ ${t}`).toBe(true);
    for (const [f, t] of no) expect(topicMatches(f, t), `${f} !~ ${t}`).toBe(false);
  });

  it('checks names and filters', () => {
    expect(topicNameProblem('a/b')).toBeUndefined();
    expect(topicNameProblem('')).toMatch(/non-empty/);
    expect(topicNameProblem('a/+')).toMatch(/wildcard/);
    expect(topicFilterProblem('a/+/#')).toBeUndefined();
    expect(topicFilterProblem('a/#/b')).toMatch(/'#' must be a whole level, the last/);
    expect(topicFilterProblem('a/b#')).toMatch(/'#' must be a whole level/);
    expect(topicFilterProblem('a/b+')).toMatch(/'\+' must be a whole level/);
    expect(topicFilterProblem('a\u0000')).toMatch(/U\+0000/);
  });
});
