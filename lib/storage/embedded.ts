/** The embedded S3 server (`@20minutes/s3rver`) used when no `S3_ENDPOINT` is configured. */
import S3rver from "@20minutes/s3rver";
import type { S3Endpoint } from "./s3.ts";

/** A running embedded S3. */
export interface EmbeddedS3 {
  endpoint: S3Endpoint;
  stop(): Promise<void>;
}

function corsXml(origins: string[]): string {
  const allowed = origins.map((o) => `<AllowedOrigin>${o}</AllowedOrigin>`).join("");
  return `<CORSConfiguration><CORSRule>${allowed}<AllowedMethod>GET</AllowedMethod>` +
    `<AllowedMethod>HEAD</AllowedMethod><AllowedHeader>*</AllowedHeader>` +
    `<ExposeHeader>Content-Range</ExposeHeader><ExposeHeader>Accept-Ranges</ExposeHeader>` +
    `<MaxAgeSeconds>3600</MaxAgeSeconds></CORSRule></CORSConfiguration>`;
}

/**
 * Starts s3rver on a random loopback port with its files in `dir` and the bucket created, with
 * CORS letting `origins` read objects.
 */
export async function startEmbeddedS3(
  dir: string,
  bucket: string,
  origins: string[],
): Promise<EmbeddedS3> {
  await Deno.mkdir(dir, { recursive: true });
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory: dir,
    // Created here rather than with CreateBucket, whose SDK signature s3rver refuses.
    configureBuckets: [{ name: bucket, configs: [corsXml(origins)] }],
  });
  const { port } = await server.run();
  return {
    endpoint: {
      endpoint: `http://127.0.0.1:${port}`,
      region: "us-east-1",
      bucket,
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
      forcePathStyle: true,
    },
    stop: () => server.close(),
  };
}
