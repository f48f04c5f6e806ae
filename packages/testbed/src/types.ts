/** A running local stand-in. */
export interface LocalServer {
  /** 127.0.0.1 */
  host: string;
  port: number;
  /** e.g. http://127.0.0.1:4567 (plain http:// for every Kinesis and DynamoDB stand-in) */
  endpoint: string;
  /** Stops the server and frees its port; safe to call twice. */
  stop(): Promise<void>;
}

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
