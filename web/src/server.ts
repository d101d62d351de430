// Which server the app talks to, and what its pages may show there. A single-user drive
// (`reel web`) offers every route the app has; the team server (`reel server`) offers the read
// routes, the changes of a workspace's files (new folders, moves, deletes, restores from the
// trash and of versions, checkpoints), sign-in with an API token, instances, tasks, grants,
// workspaces' settings, new workspaces, its users and groups and the user's tokens, but no
// uploads or tiers. Two rules, here only: a control that changes files shows when the server
// offers it and the user's role in the workspace allows it (canChange); uploads and tiers are a
// drive's only (hasUploadsAndTiers).
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

/** The servers that offer new folders, moves, deletes, restores and checkpoints. */
const OFFERS_CHANGES: Record<ServerKind, boolean> = { drive: true, team: true };

/** Whether the controls that change a workspace's files show: New folder, Rename (and move),
 * Delete with its Undo, the trash's Restore, a version's Restore and the checkpoint. The server
 * must offer them and `role` (the user's in the workspace) allow them: a writer or an admin; a
 * drive's owner is its admin, a team's reader sees the pages without them. */
export const canChange = (server: ServerKind, role: Role | string | undefined): boolean =>
  OFFERS_CHANGES[server] && canWrite(role);

/** canChange for the server the app talks to. */
export const useCanChange = (role: Role | string | undefined): boolean => canChange(useContext(ServerContext), role);

/** Uploads (the Upload button, dropped files, the uploads panel) and tiers (placement, place,
 * transfers, the folder's badges): a drive's only, whoever the user. Files reach a team
 * workspace from its mounts. */
export const hasUploadsAndTiers = (server: ServerKind): boolean => server === 'drive';

/** hasUploadsAndTiers for the server the app talks to. */
export const useUploadsAndTiers = (): boolean => hasUploadsAndTiers(useContext(ServerContext));
