export { startSync, type SyncHandle } from './attach.ts';
export { CentralSync, type SyncDeps, type SyncState } from './sync.ts';
export { signCommand } from './command-sign.ts';
export { sealCommand, SECRET_COMMAND_TYPES } from './command-seal.ts';
export { COMMAND_TYPES, commandSchema, type Command, type CommandType } from './command-schema.ts';
export { syncTopics, OFFLINE_WILL, type SyncTopics, type TopicPayloads, type StatusPayload, type CommandResult } from './topics.ts';
export { SyncError } from './errors.ts';
export type { SyncHost, SyncConfig } from './types.ts';
