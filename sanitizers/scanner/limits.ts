/**
 * How much the content scanners read. Publishing reads every file; private backups (inventory mode) run at
 * every backup and so look at contents only where a credential can plausibly be: small files that are not
 * obviously data.
 */

/** Inventory mode reads no file larger than this: keys, tickets, tokens and configs are all far smaller. */
export const INVENTORY_MAX_BYTES = 256 * 1024;

/** Files up to this size are analysed in memory; larger ones are streamed and, on a hit, removed whole. */
export const IN_MEMORY_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Extensions of data, media, compiled and packaged files: formats that do not hold a credential as a
 * standalone file. (A PEM key renamed to .png would be missed in inventory mode; publish still reads it.)
 */
const DATA_EXTENSIONS = new Set(
  (
    'root h5 hdf5 npy npz parquet feather arrow csv tsv dat bin raw pool pool.root ' +
    'png jpg jpeg gif bmp tif tiff svg eps ps pdf mp3 mp4 avi mkv wav ogg webm ' +
    'so o a la dylib pyc pyo class jar whl egg rpm deb iso img qcow2 vmdk vdi ' +
    'gz bz2 xz zst lz4 zip tar tgz 7z rar ' +
    'ttf otf woff woff2 mo pcm'
  ).split(' '),
);

/** Folders of installed software (packages, CernVM-FS mirrors), not of people; /usr/local is the owner's. */
const SOFTWARE_DIRS =
  /^(?:usr\/(?!local\/)|lib\/|lib64\/|bin\/|sbin\/|boot\/|cvmfs\/|var\/lib\/rpm\/|var\/lib\/dnf\/|var\/cache\/)/;

/** True for files under the folders of installed software (/usr, /lib, /cvmfs, the RPM database…). */
export function isInstalledSoftware(path: string): boolean {
  return SOFTWARE_DIRS.test(path);
}

/** True when `path` (root-relative) is obviously data or installed software: inventory mode skips its content. */
export function isObviouslyData(path: string): boolean {
  if (isInstalledSoftware(path)) return true;
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const dot = name.lastIndexOf('.');
  return dot > 0 && DATA_EXTENSIONS.has(name.slice(dot + 1));
}
