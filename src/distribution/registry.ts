/** Every distribution kind pullsim knows. Adding a kind: write its module, add it to both lists here. */
import { z } from 'zod';
import { hosted, HostedConfig } from './hosted.ts';
import { privateRegistry, PrivateConfig } from './private.ts';
import { mirror, MirrorConfig } from './mirror.ts';
import { p2p, P2PConfig } from './p2p.ts';
import type { DistributionModule } from './types.ts';

/** The scenario's `distribution:` block: one schema per kind, chosen by `kind:`. */
export const Distribution = z.discriminatedUnion('kind', [HostedConfig, PrivateConfig, MirrorConfig, P2PConfig]);
export type DistributionConfig = z.output<typeof Distribution>;

type ModuleOf<K extends DistributionConfig['kind']> = DistributionModule<Extract<DistributionConfig, { kind: K }>>;
const MODULES: { readonly [K in DistributionConfig['kind']]: ModuleOf<K> } = {
  hosted,
  private: privateRegistry,
  mirror,
  p2p,
};

export function moduleFor(kind: DistributionConfig['kind']): DistributionModule<DistributionConfig> {
  // Sound because a config is only ever handed to the module registered under its own `kind`.
  return MODULES[kind] as unknown as DistributionModule<DistributionConfig>;
}
