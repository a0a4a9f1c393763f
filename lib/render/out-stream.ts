/** Where a command writes: a stream, and whether a person is watching it. */
export interface OutStream {
  write(text: string): unknown;
  /** A terminal: progress, colour and width apply. Piped output stays plain and stable. */
  isTTY?: boolean;
  columns?: number;
}
