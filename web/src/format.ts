// Sizes, times and file kinds as people read them.

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function humanSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1024) return `${bytes} B`;
  let v = bytes;
  let u = -1;
  do {
    v /= 1024;
    u++;
  } while (v >= 1024 && u < UNITS.length - 1);
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${UNITS[u]}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-12-06 01:02" in local time. */
export function isoMinute(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "just now", "5 min ago", "3 h ago", "2 d ago" within a week, else the date and time. */
export function humanTime(iso: string, now = Date.now()): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return iso || '—';
  const s = Math.round((now - t) / 1000);
  if (s < -60 || s >= 7 * 86400) return isoMinute(new Date(t));
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.max(1, Math.round(s / 60))} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

/** The ISO time of nanoseconds since the epoch (the team server's `*_ns`), for humanTime; '' for none. */
export function isoOfNs(ns: number): string {
  return Number.isFinite(ns) && ns > 0 ? new Date(ns / 1e6).toISOString() : '';
}

/** "2026-12-06 01:02" of nanoseconds since the epoch; '—' for none. */
export function minuteOfNs(ns: number): string {
  const iso = isoOfNs(ns);
  return iso ? isoMinute(new Date(iso)) : '—';
}

/** `still`: a picture the browser cannot show (EXR, DPX, TIFF): the server makes a thumbnail. */
export type PreviewKind = 'video' | 'audio' | 'image' | 'still' | 'text' | 'none';

const KINDS: Record<Exclude<PreviewKind, 'none'>, string[]> = {
  video: ['mp4', 'm4v', 'mov', 'webm', 'mkv', 'ogv'],
  audio: ['mp3', 'wav', 'flac', 'ogg', 'm4a', 'aac', 'opus'],
  image: ['png', 'jpg', 'jpeg', 'gif', 'webp', 'avif', 'svg', 'bmp'],
  still: ['exr', 'dpx', 'tif', 'tiff'],
  text: [
    'txt', 'md', 'json', 'xml', 'csv', 'tsv', 'log', 'py', 'js', 'ts', 'c', 'h', 'cc', 'cpp', 'sh',
    'toml', 'yaml', 'yml', 'ini', 'edl', 'srt', 'vtt', 'ass', 'nk', 'usda',
  ],
};

const BY_EXT = new Map<string, PreviewKind>();
for (const [kind, exts] of Object.entries(KINDS)) for (const e of exts) BY_EXT.set(e, kind as PreviewKind);

export function extension(name: string): string {
  const i = name.lastIndexOf('.');
  return i <= 0 ? '' : name.slice(i + 1).toLowerCase();
}

export function previewKind(name: string): PreviewKind {
  return BY_EXT.get(extension(name)) ?? 'none';
}

/** Short label and CSS class of an entry's type badge. */
export function typeBadge(type: string, name: string): { label: string; cls: string; title: string } {
  switch (type) {
    case 'directory':
      return { label: 'DIR', cls: 'dir', title: 'Folder' };
    case 'symlink':
      return { label: 'LNK', cls: 'special', title: 'Symbolic link' };
    case 'fifo':
      return { label: 'FIFO', cls: 'special', title: 'Named pipe (FIFO)' };
    case 'char_device':
      return { label: 'CHR', cls: 'special', title: 'Character device' };
    case 'block_device':
      return { label: 'BLK', cls: 'special', title: 'Block device' };
    case 'socket':
      return { label: 'SOCK', cls: 'special', title: 'Socket' };
    case 'file':
      break;
    default:
      return { label: '?', cls: 'special', title: type };
  }
  switch (previewKind(name)) {
    case 'video':
      return { label: 'VID', cls: 'video', title: 'Video' };
    case 'audio':
      return { label: 'AUD', cls: 'audio', title: 'Audio' };
    case 'image':
    case 'still':
      return { label: 'IMG', cls: 'image', title: 'Image' };
    case 'text':
      return { label: 'TXT', cls: 'text', title: 'Text' };
    default:
      return { label: extension(name).slice(0, 4).toUpperCase() || 'FILE', cls: 'file', title: 'File' };
  }
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
export const compareNames = (a: string, b: string): number => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
