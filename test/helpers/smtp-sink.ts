// A minimal SMTP server for tests: accepts mail (no TLS, no auth) and keeps each message's
// raw text; refuses recipients whose address starts with "refused" (550), so a test can
// watch a delivery fail. Just enough of RFC 5321 for nodemailer.
import net from "node:net";

export interface SmtpSink {
  url: string;
  messages: Array<{ from: string; to: string[]; data: string }>;
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: SmtpSink["messages"] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    let buffer = "";
    let inData = false;
    let current = { from: "", to: [] as string[], data: "" };
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply("220 sink ESMTP");
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      for (;;) {
        if (inData) {
          const end = buffer.indexOf("\r\n.\r\n");
          if (end < 0) return;
          current.data = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          messages.push(current);
          current = { from: "", to: [], data: "" };
          inData = false;
          reply("250 queued");
          continue;
        }
        const newline = buffer.indexOf("\r\n");
        if (newline < 0) return;
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "MAIL") {
          current.from = line;
        } else if (verb === "RCPT") {
          if (/<refused/i.test(line)) {
            reply("550 no such mailbox");
            continue;
          }
          current.to.push(line);
        } else if (verb === "DATA") {
          inData = true;
          reply("354 go ahead");
          continue;
        } else if (verb === "RSET") {
          current = { from: "", to: [], data: "" };
        } else if (verb === "QUIT") {
          reply("221 bye");
          socket.end();
          continue;
        }
        reply(verb === "EHLO" || verb === "HELO" ? "250 sink" : "250 ok");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
