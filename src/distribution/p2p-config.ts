/**
 * `kind: p2p` scenario block and its presets, `kraken` and `dragonfly`. Every knob defaults to the preset;
 * figures come from FACTS.md §1a (Kraken) and §1b (Dragonfly); the ones FACTS.md lacks are marked
 * "assumption" in the preset's notes.
 */
import { z } from 'zod';
import { zDuration, zRate, zSize } from '../scenario/units.ts';
import { HostedConfig } from './hosted.ts';
import { PrivateConfig } from './private.ts';
import { MirrorConfig } from './mirror.ts';
import type { FileSourceConfig } from './upstream.ts';
import type { PiecePolicy } from './p2p-pieces.ts';
import type { BandwidthModel } from './p2p-transport.ts';

/** Where origins (and back-to-source fetches) get blobs: any registry strategy, or plain file servers. */
export type Upstream = HostedConfig | PrivateConfig | MirrorConfig | FileSourceConfig;

/**
 * How a node's metadata requests (tag, index, manifest, config) are answered. `origin`: by the P2P tier
 * itself (Kraken: tags from build-index, manifests from the origins' content store), which fetches each
 * object from the upstream once per origin. `upstream`: passed through to the registry (Dragonfly's
 * dfdaemon proxies only blob requests into the swarm; manifests go to the registry, auth dance and
 * pull-rate limits included).
 */
export type MetadataPath = 'origin' | 'upstream';

export interface P2PSettings {
  preset: 'kraken' | 'dragonfly';
  label: string;
  notes: string;
  /** Origin tier (Kraken origins, Dragonfly seed peers), spread round-robin over the cluster's zones. */
  origins: number;
  originNicBps: number;
  originUploadBps: number;
  originMaxConnections: number;
  originUploadSlots: number;
  /** Origins that seed each blob (chosen by digest, like a hash ring). */
  replicas: number;
  trackers: number;
  piecePolicy: PiecePolicy;
  uploadBps: number;
  downloadBps: number;
  maxConnections: number;
  maxParents: number;
  pipeline: number;
  originPipeline: number;
  concurrentPieces: number;
  uploadSlots: number;
  handout: number;
  announceIntervalS: number;
  backToSourceAfterS: number;
  endgamePieces: number;
  /**
   * A blob's swarm that has had no download and no piece in flight for this long is dropped: its peers stop
   * seeding it (Kraken's seeder TTI) and the simulator frees its per-peer state. Nodes that hold the blob
   * keep it (a re-pull by one of them is answered locally); later downloaders start from the origins.
   */
  seederIdleS: number;
  metadata: MetadataPath;
  preheat: boolean;
  upstream: Upstream;
  bandwidthModel: BandwidthModel;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const Gbit = 1e9 / 8;

type PresetDefaults = Omit<P2PSettings, 'upstream' | 'bandwidthModel' | 'preheat'>;

export const P2P_PRESETS: Readonly<Record<'kraken' | 'dragonfly', PresetDefaults>> = {
  kraken: {
    preset: 'kraken',
    label: 'Uber Kraken',
    notes:
      'FACTS.md §1a: 4 MB pieces; agent egress 200 MiB/s, ingress 300 MiB/s; max_open_conn 10 per torrent; pipeline 3; ' +
      'tracker handout 50, announce 3 s; endgame threshold = pipeline limit (3); seeder TTI 5 min (an idle swarm is dropped); 5 origins and 5 trackers as in the README benchmark; no back-to-source for agents; tags and manifests served by build-index and the origins. ' +
      'Assumptions: 3 origin replicas per blob (hash ring), origins hold 10 connections per blob like agents, 10 Gbit/s origin NICs, no upload-slot limit; an agent’s first announce opens at most 4 connections and keeps the rest for peers that join later, later announces top up to 10 (Kraken does not split them; without the split, peers that join at once fill each other up in join order and the connection graph becomes a long band that pieces cross slowly)',
    origins: 5,
    originNicBps: 10 * Gbit,
    originUploadBps: Infinity,
    originMaxConnections: 10,
    originUploadSlots: Infinity,
    replicas: 3,
    trackers: 5,
    piecePolicy: { kind: 'kraken' },
    uploadBps: 200 * MiB,
    downloadBps: 300 * MiB,
    maxConnections: 10,
    maxParents: 4,
    pipeline: 3,
    originPipeline: 3,
    concurrentPieces: Infinity,
    uploadSlots: Infinity,
    handout: 50,
    announceIntervalS: 3,
    backToSourceAfterS: Infinity,
    endgamePieces: 3,
    seederIdleS: 300,
    metadata: 'origin',
  },
  dragonfly: {
    preset: 'dragonfly',
    label: 'Dragonfly (d7y) v2',
    notes:
      'FACTS.md §1b: pieces next_power_of_two(size/500) in [4, 64] MiB; rate limits 10 GiB/s (set them to the NIC); ' +
      'candidate parent limit 3, filter parent limit 15 (used as connections per blob), 8 concurrent pieces per download, ' +
      'dfdaemon proxies blob requests into the swarm and passes manifests to the registry, ' +
      'peer upload limit 200 and seed peer 2,000; scheduleTimeout 30 s then back-to-source; announce 1 m; ' +
      'a task is kept 6 h after its last access (dfdaemon storage.taskExpireTime in the d7y.io dfget.yaml reference; not yet in FACTS.md). ' +
      'Assumptions: 3 seed peers and 3 schedulers, every seed peer seeds every blob, 10 Gbit/s seed-peer NICs; pieces flow both ways on a connection (v2 sends parent → child only); one request at a time per seed-peer connection, so a seed shared by the whole cluster does not hold many of a peer’s pieces at once',
    origins: 3,
    originNicBps: 10 * Gbit,
    originUploadBps: 10 * GiB,
    originMaxConnections: 2000,
    originUploadSlots: 2000,
    replicas: 3,
    trackers: 3,
    piecePolicy: { kind: 'dragonfly' },
    uploadBps: 10 * GiB,
    downloadBps: 10 * GiB,
    maxConnections: 15,
    maxParents: 3,
    pipeline: 8,
    originPipeline: 1,
    concurrentPieces: 8,
    uploadSlots: 200,
    handout: 15,
    announceIntervalS: 60,
    backToSourceAfterS: 30,
    endgamePieces: 0,
    seederIdleS: 6 * 3600,
    metadata: 'upstream',
  },
};

const SourceInput = z.strictObject({
  kind: z.literal('source'),
  instances: z.number().int().min(1).max(100).default(1).describe('plain HTTP file servers (no registry protocol)'),
  nic: zRate.prefault('10 Gbit/s').describe('NIC of each source server'),
  rtt: zDuration.prefault('1ms').describe('round trip between a source and the origins / nodes'),
});

const UpstreamInput = z.discriminatedUnion('kind', [HostedConfig, PrivateConfig, MirrorConfig, SourceInput]);

const count = (what: string) => z.number().int().min(1).max(1_000_000).optional().describe(what);

export const P2PConfig = z
  .strictObject({
    kind: z.literal('p2p'),
    preset: z.enum(['kraken', 'dragonfly']).describe('kraken (Uber) or dragonfly (d7y); every other field overrides the preset'),
    origins: count('origin servers / seed peers'),
    originNic: zRate.optional().describe('NIC of each origin'),
    originUploadLimit: zRate.optional().describe("an origin's P2P upload limit"),
    originMaxConnections: count('connections an origin holds per blob'),
    originUploadSlots: count('piece uploads an origin serves at once'),
    replicas: count('origins that seed each blob'),
    trackers: count('tracker / scheduler instances (cost only)'),
    pieceSize: zSize.optional().describe("a fixed piece size, e.g. \"1 MiB\" (default: the preset's policy)"),
    uploadLimit: zRate.optional().describe('per-host P2P upload limit'),
    downloadLimit: zRate.optional().describe('per-host P2P download limit'),
    maxConnections: count('connections a host holds per blob (Kraken max_open_conn)'),
    maxParents: count('connections a host opens itself per blob (Dragonfly candidate parent limit)'),
    pipeline: count('piece requests outstanding per connection'),
    originPipeline: count('piece requests outstanding per connection to an origin'),
    concurrentPieces: count('piece requests outstanding per download over all connections'),
    uploadSlots: count('piece uploads a host serves at once over all blobs'),
    handout: count('peers the tracker hands out per announce'),
    announceInterval: zDuration.optional(),
    seederIdle: zDuration
      .optional()
      .describe("drop a blob's swarm after it has been idle this long (peers stop seeding it; default: the preset's, Kraken 5m, Dragonfly 6h)"),
    backToSource: z
      .union([z.literal('off'), zDuration])
      .optional()
      .describe('fetch from the upstream after this long without a piece, or "off"'),
    preheat: z.boolean().default(false).describe('origins already hold each new blob when the rollout starts (a push webhook)'),
    metadata: z
      .enum(['origin', 'upstream'])
      .optional()
      .describe("who answers tag and manifest requests: the P2P tier (kraken) or the upstream registry, proxied (dragonfly)"),
    upstream: UpstreamInput.prefault({ kind: 'hosted', preset: 'ecr' }).describe(
      'where origins (and back-to-source) get blobs: kind hosted, private or mirror, or source (plain file servers)',
    ),
    bandwidthModel: z
      .enum(['exact', 'local-fair-share'])
      .default('exact')
      .describe('exact: piece flows in the shared max-min network; local-fair-share: an approximation for huge swarms'),
  })
  .transform((c, ctx) => {
    const base = P2P_PRESETS[c.preset];
    const s: P2PSettings = {
      ...base,
      origins: c.origins ?? base.origins,
      originNicBps: c.originNic ?? base.originNicBps,
      originUploadBps: c.originUploadLimit ?? base.originUploadBps,
      originMaxConnections: c.originMaxConnections ?? base.originMaxConnections,
      originUploadSlots: c.originUploadSlots ?? base.originUploadSlots,
      replicas: Math.min(c.replicas ?? base.replicas, c.origins ?? base.origins),
      trackers: c.trackers ?? base.trackers,
      piecePolicy: c.pieceSize !== undefined ? { kind: 'fixed', bytes: c.pieceSize } : base.piecePolicy,
      uploadBps: c.uploadLimit ?? base.uploadBps,
      downloadBps: c.downloadLimit ?? base.downloadBps,
      maxConnections: c.maxConnections ?? base.maxConnections,
      maxParents: c.maxParents ?? Math.min(base.maxParents, c.maxConnections ?? base.maxParents),
      pipeline: c.pipeline ?? base.pipeline,
      originPipeline: c.originPipeline ?? base.originPipeline,
      concurrentPieces: c.concurrentPieces ?? base.concurrentPieces,
      uploadSlots: c.uploadSlots ?? base.uploadSlots,
      handout: c.handout ?? base.handout,
      announceIntervalS: c.announceInterval ?? base.announceIntervalS,
      seederIdleS: c.seederIdle ?? base.seederIdleS,
      backToSourceAfterS: c.backToSource === 'off' ? Infinity : (c.backToSource ?? base.backToSourceAfterS),
      preheat: c.preheat,
      metadata: c.metadata ?? base.metadata,
      upstream: c.upstream.kind === 'source' ? { kind: 'source', instances: c.upstream.instances, nicBps: c.upstream.nic, rttS: c.upstream.rtt } : c.upstream,
      bandwidthModel: c.bandwidthModel,
    };
    if (s.maxParents > s.maxConnections)
      ctx.addIssue({
        code: 'custom',
        path: ['maxParents'],
        message: `maxParents (${s.maxParents}) is more than maxConnections (${s.maxConnections})`,
        params: { hint: 'a host cannot open more connections than it may hold; raise maxConnections or lower maxParents' },
      });
    if (c.pieceSize !== undefined && !(c.pieceSize > 0))
      ctx.addIssue({ code: 'custom', path: ['pieceSize'], message: 'pieceSize must be more than 0 bytes', params: { hint: 'e.g. pieceSize: "4 MiB"' } });
    for (const [key, v] of [['uploadLimit', s.uploadBps], ['downloadLimit', s.downloadBps], ['originNic', s.originNicBps], ['originUploadLimit', s.originUploadBps]] as const)
      if (!(v > 0)) ctx.addIssue({ code: 'custom', path: [key], message: `${key} must be more than 0`, params: { hint: 'e.g. "200 MiB/s"' } });
    return { kind: 'p2p' as const, settings: s };
  });
export type P2PConfig = z.output<typeof P2PConfig>;
