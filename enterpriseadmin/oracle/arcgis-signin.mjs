// What a user's JavaScript tool does with Esri's own client library: sign in
// with ArcGISIdentityManager.signIn, then GET the identity certificates of
// the Administrator API with the token it got. Run by
// TestEsriClientAgainstArcGISFake (beside it) against the ArcGIS
// fake; prints one JSON line with what it saw, or exits 1 with the error.
//
// Environment: ARCGIS_URL (the web context, e.g. http://127.0.0.1:port/arcgis),
// ARCGIS_USER, ARCGIS_PASSWORD.
import { ArcGISIdentityManager, request } from "@esri/arcgis-rest-request";

const base = process.env.ARCGIS_URL;
const portal = `${base}/sharing/rest`;
try {
  const session = await ArcGISIdentityManager.signIn({
    username: process.env.ARCGIS_USER,
    password: process.env.ARCGIS_PASSWORD,
    portal,
  });
  const token = await session.getToken(portal);
  const certs = await request(`${base}/admin/security/certificates/identity`, {
    httpMethod: "GET",
    params: { token },
  });
  console.log(JSON.stringify({ user: session.username, tokenLength: token.length, certificates: certs.certificates }));
} catch (err) {
  console.error(`${err.name}: ${err.message}${err.url ? ` (${err.url})` : ""}`);
  process.exit(1);
}
