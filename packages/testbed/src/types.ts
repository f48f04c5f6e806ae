import type { LocalServer } from '@kcl/local';

/** A running local stand-in (@kcl/local's type). */
export type { LocalServer } from '@kcl/local';
export interface RedisServerHandle extends LocalServer {
  /** redis://[:password@]127.0.0.1:port or rediss://... */
  url: string;
  /** host:port */
  address: string;
  password?: string | undefined;
  /** PEM of the throwaway CA that signed the server certificate (TLS mode only). */
  tlsCa?: string | undefined;
}

export interface RedisClusterHandle {
  /** One entry per master, 127.0.0.1 ports. */
  nodes: { host: string; port: number }[];
  /** One `redis://127.0.0.1:port` URL per master, e.g. for node-redis `createCluster({ rootNodes })`. */
  urls: string[];
  stop(): Promise<void>;
}
