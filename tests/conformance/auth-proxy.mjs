// Forwards every request to TARGET with `Authorization: Bearer $HEYCMO_KEY` added, the way an
// MCP client configured with a key does. The conformance suite has no option to send a header,
// and some of its scenarios drop the URL's query string, so `?token=` cannot carry the key.
// Everything else (Host, Origin, MCP headers, bodies, SSE streams) passes through untouched.
import http from "node:http";

const target = new URL(process.env.TARGET);
const authorization = `Bearer ${process.env.HEYCMO_KEY}`;

const server = http.createServer((request, response) => {
  const upstream = http.request(
    {
      host: target.hostname,
      port: target.port,
      path: request.url,
      method: request.method,
      headers: { ...request.headers, authorization },
    },
    (answer) => {
      response.writeHead(answer.statusCode, answer.headers);
      answer.pipe(response);
    },
  );
  upstream.on("error", (error) => {
    if (!response.headersSent) response.writeHead(502);
    response.end(String(error));
  });
  response.on("close", () => upstream.destroy());
  request.pipe(upstream);
});

server.listen(0, "127.0.0.1", () => console.log(server.address().port));
