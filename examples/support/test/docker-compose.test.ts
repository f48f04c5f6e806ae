// docker/compose.yaml cannot be run here (no Docker engine, and the docker client has no compose plugin to run
// `docker compose config`), so this checks its structure with a YAML parser, and that its images, ports and
// variables agree with the examples.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const yaml = require('js-yaml') as { load(text: string): unknown };

const root = join(__dirname, '..', '..', '..');
const dockerDir = join(root, 'docker');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: string[];
  restart?: string;
}
interface Compose {
  name: string;
  services: Record<string, Service>;
}

function load(file: string): unknown {
  return yaml.load(readFileSync(join(dockerDir, file), 'utf8'));
}

const compose = load('compose.yaml') as Compose;
const services = compose.services;
const service = (name: string): Service => {
  const found = services[name];
  if (!found) throw new Error(`service ${name} missing from docker/compose.yaml`);
  return found;
};
/** container port -> host port, for "127.0.0.1:host:container" entries */
const published = (name: string): Map<number, number> =>
  new Map(
    (service(name).ports ?? []).map((entry) => {
      const [host, hostPort, containerPort] = entry.split(':');
      expect(host).toBe('127.0.0.1');
      return [Number(containerPort), Number(hostPort)];
    }),
  );

describe('docker/compose.yaml', () => {
  it('has only keys the compose specification knows, and the five services', () => {
    const allowed = ['name', 'services', 'volumes', 'networks', 'configs', 'secrets'];
    expect(Object.keys(compose).filter((key) => !allowed.includes(key) && !key.startsWith('x-'))).toEqual([]);
    expect(Object.keys(services).sort()).toEqual(['dynamodb', 'kinesis', 'prometheus', 'prometheus-metrics', 'redis']);
    const serviceKeys = ['image', 'build', 'command', 'environment', 'ports', 'volumes', 'depends_on', 'restart'];
    for (const [name, definition] of Object.entries(services)) {
      expect([name, Object.keys(definition).filter((key) => !serviceKeys.includes(key))]).toEqual([name, []]);
      expect([name, definition.image !== undefined || definition.build !== undefined]).toEqual([name, true]);
      for (const dependency of definition.depends_on ?? []) expect(Object.keys(services)).toContain(dependency);
      if (definition.command) expect(definition.command.every((part) => typeof part === 'string')).toBe(true);
      if (definition.environment) expect(Object.values(definition.environment).every((value) => typeof value === 'string')).toBe(true);
    }
  });

  it('publishes every port on 127.0.0.1 only, on the ports the examples and READMEs use', () => {
    for (const name of Object.keys(services)) {
      for (const entry of service(name).ports ?? []) expect(entry).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    }
    expect([...published('kinesis')]).toEqual([
      [4567, 4567],
      [4568, 4568],
    ]);
    expect([...published('dynamodb')]).toEqual([[8000, 8000]]);
    expect([...published('redis')]).toEqual([[6379, 6379]]);
    expect([...published('prometheus')]).toEqual([[9090, 9090]]);
    expect([...published('prometheus-metrics')]).toEqual([[9464, 9464]]);
  });

  it('uses kinesis-mock at the version the tests run (kinesis-local), DynamoDB Local in memory, Redis 7', () => {
    const testbed = dirname(require.resolve('@kcl/testbed/package.json'));
    const kinesisLocal = JSON.parse(readFileSync(require.resolve('kinesis-local/package.json', { paths: [testbed] }), 'utf8')) as { version: string };
    expect(service('kinesis').image).toBe(`ghcr.io/etspaceman/kinesis-mock:${kinesisLocal.version}`);
    expect(service('dynamodb').image).toMatch(/^amazon\/dynamodb-local:\d+\.\d+\.\d+$/);
    expect(service('dynamodb').command).toEqual(expect.arrayContaining(['-inMemory', '-sharedDb']));
    expect(service('redis').image).toBe('redis:7');
    expect(service('prometheus').image).toMatch(/^prom\/prometheus:v\d+\.\d+\.\d+$/);
  });

  it('runs the prometheus-metrics example against the emulators by their service names and plain-http ports', () => {
    const example = service('prometheus-metrics');
    expect(example.environment).toMatchObject({
      KCL_KINESIS_ENDPOINT: 'http://kinesis:4568',
      KCL_DYNAMODB_ENDPOINT: 'http://dynamodb:8000',
      LISTEN_HOST: '0.0.0.0',
      PORT: '9464',
    });
    expect(example.command).toEqual(expect.arrayContaining(['node', 'dist/main.js', '--forever']));
    // The example's own default port is the one the compose file publishes and Prometheus scrapes.
    const main = readFileSync(join(root, 'examples', 'prometheus-metrics', 'src', 'main.ts'), 'utf8');
    expect(main).toContain('process.env.PORT ?? 9464');
    expect(main).toContain("process.env.LISTEN_HOST ?? '127.0.0.1'");
  });

  it('builds the example from the repository root with a Dockerfile that installs from the lock file', () => {
    const build = service('prometheus-metrics').build as { context: string; dockerfile: string };
    const context = join(dockerDir, build.context);
    expect(context).toBe(root);
    const dockerfilePath = join(context, build.dockerfile);
    expect(existsSync(dockerfilePath)).toBe(true);
    expect(existsSync(`${dockerfilePath}.dockerignore`)).toBe(true);
    const dockerfile = readFileSync(dockerfilePath, 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20(-[a-z]+)?$/m);
    const packageManager = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { packageManager: string }).packageManager;
    expect(dockerfile).toContain(`npm install -g ${packageManager}`);
    expect(dockerfile).toContain('pnpm install --frozen-lockfile');
    const exampleName = (JSON.parse(readFileSync(join(root, 'examples', 'prometheus-metrics', 'package.json'), 'utf8')) as { name: string }).name;
    expect(dockerfile).toContain(`--filter=${exampleName}...`);
    expect(dockerfile).toContain('WORKDIR /app/examples/prometheus-metrics');
  });

  it('mounts a prometheus.yml that scrapes the example service on its port', () => {
    const volumes = service('prometheus').volumes ?? [];
    expect(volumes).toContain('./prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    const config = load('prometheus.yml') as {
      global: { scrape_interval: string };
      scrape_configs: { job_name: string; metrics_path?: string; static_configs: { targets: string[] }[] }[];
    };
    expect(config.global.scrape_interval).toMatch(/^\d+s$/);
    expect(config.scrape_configs).toHaveLength(1);
    const job = config.scrape_configs[0]!;
    expect(job.metrics_path ?? '/metrics').toBe('/metrics');
    expect(job.static_configs.flatMap((group) => group.targets)).toEqual([`prometheus-metrics:${service('prometheus-metrics').environment?.PORT}`]);
  });
});
