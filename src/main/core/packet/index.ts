/**
 * Audit packets: one signed `.tieoutpkt` zip that an outside auditor can verify and replay
 * without the workspace or a network. The folder's one entry.
 */
export { exportPacket, stagePacket, type ExportPacketOptions, type ExportPacketResult, type StagedPacket } from './export.js';
export { verifyPacket, verifyZip, type VerifyResult, type PacketProblem, type PacketSummary } from './verify.js';
export { replayPacket, type ReplayResult, type ReplayDifference, type ReplayDifferenceKind, type ReplayRunOutcome } from './replay.js';
export { openPacket, PACKET_TABLES, type OpenedPacket, type PacketTable, type PacketTableName } from './read.js';
export {
  PacketScope,
  PacketFilter,
  Manifest,
  describeScope,
  ENTRY as PACKET_ENTRY,
  EXPORT_ACTION,
  PACKET_EXTENSION,
  PACKET_FORMAT,
  PACKET_FORMAT_VERSION,
} from './format.js';
export { loadOrCreateSigningKey, keyFingerprint, signManifest, PRIVATE_KEY_FILE, type SigningKey } from './keys.js';
export { DEFAULT_ZIP_LIMITS, openZip, readZipFile, writeZip, writeZipFile, extractToTemp, unsafeEntryName, crc32, type ZipLimits, type ZipReader, type ZipInput } from './zip.js';
