// The process's logger: human-readable lines (pino-pretty, in this thread) when the output is
// a terminal, one JSON object per line otherwise (files, containers, log shippers).
import pino, { type DestinationStream, type Logger } from "pino";
import pretty from "pino-pretty";

export interface LogOutput extends DestinationStream {
  isTTY?: boolean;
}

export function createLogger(level: string, output: LogOutput = process.stdout): Logger {
  if (output.isTTY) {
    return pino(
      { level },
      pretty({
        destination: output,
        colorize: true,
        translateTime: "SYS:HH:MM:ss.l",
        ignore: "pid,hostname",
        sync: true,
      }),
    );
  }
  return pino({ level }, output);
}
