/**
 * A stand-in for `ctr` in unit tests (no containerd): a shell script that records its calls, keeps
 * what `images import -` reads from stdin, and answers `images ls -q` from a file.
 *
 * `images import -` prints `unpacking fake/<first 12 hex of sha256(stdin)>:1 (sha256:<sha256(stdin)>)`
 * and adds the name to the image list; stdin starting with `FAIL` makes it fail like ctr does.
 */
import { readFileSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './tmp.js';

/** A fake ctr program in its own temp directory. */
export interface FakeCtr {
  /** Path of the script (pass as `ctrPath`). */
  ctrPath: string;
  dir: string;
  /** Argument lines of every call so far. */
  calls(): string[];
  /** Names `images ls -q` reports. */
  images(): string[];
  /** Replaces the image list (to simulate images removed from containerd). */
  setImages(names: string[]): void;
}

const SCRIPT = `#!/bin/bash
dir=$(dirname "$0")
echo "$*" >>"$dir/calls"
shift 6 # -a SOCK -n NS --connect-timeout 5s
case "$1 $2" in
"images import")
  tmp=$(mktemp "$dir/stdin.XXXXXX")
  cat >"$tmp"
  if [[ $(head -c 4 "$tmp") == FAIL ]]; then
    echo 'ctr: unrecognized image format' >&2
    exit 1
  fi
  sum=$(sha256sum "$tmp" | cut -d' ' -f1)
  name="fake/\${sum:0:12}:1"
  echo "$name" >>"$dir/images"
  echo "unpacking $name (sha256:$sum)...done"
  ;;
"images ls")
  if [[ -f $dir/images ]]; then cat "$dir/images"; fi
  ;;
*)
  echo "ctr: fake ctr does not know: $*" >&2
  exit 1
  ;;
esac
`;

/** Creates a fake ctr. */
export function fakeCtr(): FakeCtr {
  const dir = tempDir('k8ts-fake-ctr');
  const ctrPath = path.join(dir, 'ctr');
  writeFileSync(ctrPath, SCRIPT);
  chmodSync(ctrPath, 0o755);
  const lines = (file: string): string[] =>
    existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
      : [];
  return {
    ctrPath,
    dir,
    calls: () => lines(path.join(dir, 'calls')),
    images: () => lines(path.join(dir, 'images')),
    setImages: (names) => writeFileSync(path.join(dir, 'images'), names.map((n) => `${n}\n`).join('')),
  };
}
