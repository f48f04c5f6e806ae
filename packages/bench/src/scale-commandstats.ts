/** Redis `INFO commandstats`: parsing, deltas between two snapshots, and fetching it over a plain socket. */
import { createConnection } from 'node:net';

export interface CommandStat {
  calls: number;
  usec: number;
}

/** command name -> cumulative calls and microseconds, e.g. `evalsha` or `client|setname`. */
export type CommandStats = Map<string, CommandStat>;

/** Parses the text of `INFO commandstats` (`cmdstat_get:calls=3,usec=12,...` lines). Other lines are ignored. */
export function parseCommandStats(info: string): CommandStats {
  const stats: CommandStats = new Map();
  for (const raw of info.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line.startsWith('cmdstat_')) continue;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice('cmdstat_'.length, colon);
    const fields = new Map(
      line
        .slice(colon + 1)
        .split(',')
        .map((pair) => pair.split('=') as [string, string]),
    );
    const calls = Number(fields.get('calls'));
    const usec = Number(fields.get('usec') ?? 0);
    if (name !== '' && Number.isFinite(calls)) stats.set(name, { calls, usec: Number.isFinite(usec) ? usec : 0 });
  }
  return stats;
}

export interface CommandRate {
  command: string;
  calls: number;
  perSecond: number;
  /** Server time per call in µs, over the interval. */
  usecPerCall: number;
}

export interface CommandStatsDelta {
  totalCalls: number;
  totalPerSecond: number;
  /** Busiest first; commands with no calls in the interval are left out. */
  commands: CommandRate[];
}

/**
 * Calls per command between two snapshots taken `millis` apart. Commands in `exclude` (the bench's own `info`) are
 * left out. A command missing from `before` counts from 0; a counter that went down (CONFIG RESETSTAT) counts from 0.
 */
export function commandStatsDelta(
  before: CommandStats,
  after: CommandStats,
  millis: number,
  exclude: readonly string[] = ['info'],
): CommandStatsDelta {
  const seconds = millis / 1000;
  const commands: CommandRate[] = [];
  for (const [command, stat] of after) {
    if (exclude.includes(command)) continue;
    const previous = before.get(command);
    const reset = previous !== undefined && stat.calls < previous.calls;
    const calls = stat.calls - (previous && !reset ? previous.calls : 0);
    const usec = stat.usec - (previous && !reset ? previous.usec : 0);
    if (calls <= 0) continue;
    commands.push({ command, calls, perSecond: seconds > 0 ? calls / seconds : 0, usecPerCall: usec / calls });
  }
  commands.sort((a, b) => b.calls - a.calls || a.command.localeCompare(b.command));
  const totalCalls = commands.reduce((sum, c) => sum + c.calls, 0);
  return { totalCalls, totalPerSecond: seconds > 0 ? totalCalls / seconds : 0, commands };
}

/**
 * Sends `INFO commandstats` to redis-server at host:port (no AUTH, no TLS: the bench's own server) and returns the
 * parsed reply. Rejects after `timeoutMs`.
 */
export function fetchCommandStats(host: string, port: number, timeoutMs = 5_000): Promise<CommandStats> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    let buffer = Buffer.alloc(0);
    const fail = (error: Error): void => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`redis-server ${host}:${port}: no INFO reply within ${timeoutMs} ms`)));
    socket.once('connect', () => socket.write('*2\r\n$4\r\nINFO\r\n$12\r\ncommandstats\r\n'));
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const lineEnd = buffer.indexOf('\r\n');
      if (lineEnd < 0) return;
      const header = buffer.toString('utf8', 0, lineEnd);
      if (!header.startsWith('$')) {
        fail(new Error(`redis-server ${host}:${port}: unexpected INFO reply ${JSON.stringify(header)}`));
        return;
      }
      const length = Number(header.slice(1));
      if (buffer.length < lineEnd + 2 + length) return;
      socket.destroy();
      resolve(parseCommandStats(buffer.toString('utf8', lineEnd + 2, lineEnd + 2 + length)));
    });
    socket.once('error', fail);
  });
}
