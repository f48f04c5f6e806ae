import type { KclConfigFields, KclOptionName } from './config-fields';
import { OPTION_NAMES, OPTION_TABLE } from './option-table';

export { KCL_CONFIG_LIMITS } from './limits';

/** Options whose default depends on the application or is an object made per config (not in the defaults). */
type ComputedDefault = 'tableName' | 'enhancedFanOutConsumerName' | 'logger' | 'monitoringService';

/** Options with a constant default. */
export type KclDefaultedOption = Exclude<{ [K in KclOptionName]: undefined extends KclConfigFields[K] ? never : K }[KclOptionName], ComputedDefault>;

/**
 * Default values of every {@link KinesisClientLibConfig} option with a constant default, from the option table.
 * Numbers are go-kcl's defaults (clientlibrary/config/config.go) unless the README notes otherwise.
 */
export const KCL_CONFIG_DEFAULTS: Readonly<Pick<KclConfigFields, KclDefaultedOption>> = Object.freeze(
  Object.fromEntries(
    OPTION_NAMES.filter((name) => OPTION_TABLE[name].default !== undefined).map((name) => [name, OPTION_TABLE[name].default]),
  ) as Pick<KclConfigFields, KclDefaultedOption>,
);
