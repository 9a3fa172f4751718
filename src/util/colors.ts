import pc from 'picocolors';

export type Colors = ReturnType<typeof pc.createColors>;

/** Colours on only for a TTY, and never under NO_COLOR or --no-color. */
export function colorsEnabled(stream: NodeJS.WriteStream, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  if ('NO_COLOR' in process.env && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY);
}

export function makeColors(enabled: boolean): Colors {
  return pc.createColors(enabled);
}
