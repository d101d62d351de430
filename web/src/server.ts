// Which server the app talks to: a single-user drive (`reel web`) offers every route the app
// has; the team server (`reel server`) offers the read routes, sign-in with an API token,
// instances, tasks, grants, workspaces' settings, new workspaces, its users and groups and the
// user's tokens, but no uploads, moves, deletes, restores or tiers. The pages show only what the
// server offers.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Health, Role } from './api';

export type ServerKind = 'drive' | 'team';

/** A drive's health answer has no `server` field. */
export const serverKind = (h: Health): ServerKind => (h.server === 'team' ? 'team' : 'drive');

export const ServerContext = createContext<ServerKind>('drive');

/** Whether the app talks to the team server. */
export const useTeam = (): boolean => useContext(ServerContext) === 'team';

/** Whether `role` may change a workspace's files (and send tasks to its instances). */
export const canWrite = (role: Role | string | undefined): boolean => role === 'writer' || role === 'admin';
