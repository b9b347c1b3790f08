// An OpenID Connect provider for the sign-in tests, on 127.0.0.1 only.
// Usage: node oidc.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI
// The login form accepts any password; the login name is the e-mail address, and a name
// starting with "unverified." gets email_verified false.
import Provider from "oidc-provider";

const [port, clientId, clientSecret, redirectUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: [],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
    },
  ],
  claims: { openid: ["sub"], email: ["email", "email_verified"] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ["sign-in-tests-only"] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        const email = id.replace(/^unverified\./, "");
        return { sub: id, email, email_verified: !id.startsWith("unverified.") };
      },
    };
  },
});
provider.proxy = false;

const server = provider.listen(Number(port), "127.0.0.1", () => {
  console.log(`ready ${issuer}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
