/* test_webtls.c — falcod's web server (runtime/webserver.h) as a network peer sees it: bound to
 * 127.0.0.1 by default, HTTPS with a certificate made at test time (openssl CLI), and client
 * certificates: with webserver.ssl_client_ca, no certificate or one the CA did not sign gets
 * 403, one it signed gets the answer. Requests go through libcurl. */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "webserver.h"

static char dir[64];
static struct fc_metrics *metrics;

static void sh(const char *fmt, const char *arg)
{
	char cmd[2048];
	snprintf(cmd, sizeof cmd, fmt, arg, arg, arg, arg, arg, arg, arg, arg);
	cr_assert_eq(system(cmd), 0, "failed: %s", cmd);
}

/* A CA; a server certificate for 127.0.0.1 / localhost and a client certificate, both signed by
 * it; a self-signed "rogue" client certificate. */
static void setup(void)
{
	if (system("command -v openssl >/dev/null 2>&1"))
		cr_skip_test("no openssl command (scripts/deps installs it)");
	snprintf(dir, sizeof dir, "/tmp/test_webtls.XXXXXX");
	cr_assert(mkdtemp(dir));
	sh("cd %s && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=test-ca "
	   ">/dev/null 2>&1",
	   dir);
	sh("cd %s && openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=localhost >/dev/null 2>&1 "
	   "&& printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > srv.ext && openssl x509 -req -in srv.csr -CA ca.pem "
	   "-CAkey ca.key -CAcreateserial -out srv.pem -days 2 -extfile srv.ext >/dev/null 2>&1",
	   dir);
	sh("cd %s && openssl req -newkey rsa:2048 -nodes -keyout cli.key -out cli.csr -subj /CN=scraper >/dev/null 2>&1 "
	   "&& printf 'extendedKeyUsage=clientAuth\\n' > cli.ext && openssl x509 -req -in cli.csr -CA ca.pem -CAkey ca.key "
	   "-CAcreateserial -out cli.pem -days 2 -extfile cli.ext >/dev/null 2>&1",
	   dir);
	sh("cd %s && openssl req -x509 -newkey rsa:2048 -nodes -keyout rogue.key -out rogue.pem -days 2 -subj /CN=rogue "
	   ">/dev/null 2>&1",
	   dir);
	struct fc_metrics_opts mo = {0};
	metrics = fc_metrics_new(&mo);
	cr_assert(metrics);
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void teardown(void)
{
	fc_metrics_free(metrics);
	metrics = NULL;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (dir[0] && system(cmd)) {
	}
	curl_global_cleanup();
}

TestSuite(webtls, .init = setup, .fini = teardown);

static size_t sink(char *p, size_t sz, size_t n, void *ud)
{
	(void)p, (void)ud;
	return sz * n;
}

static char path_buf[8][128];

static const char *f(int slot, const char *name)
{
	snprintf(path_buf[slot], sizeof path_buf[slot], "%s/%s", dir, name);
	return path_buf[slot];
}

/* GET URL; returns the HTTP status, or -1 when the connection or TLS failed. */
static long get(const char *url, const char *cert, const char *key)
{
	CURL *c = curl_easy_init();
	cr_assert(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_CAINFO, f(6, "ca.pem"));
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (cert) {
		curl_easy_setopt(c, CURLOPT_SSLCERT, cert);
		curl_easy_setopt(c, CURLOPT_SSLKEY, key);
	}
	long status = -1;
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	return status;
}

static struct fc_websrv *start(bool tls, const char *client_ca)
{
	struct fc_websrv_opts o = {.port = 0, .threads = 1, .healthz = "/healthz", .prometheus = true, .tls = tls};
	if (tls) {
		o.cert = f(0, "srv.pem");
		o.key = f(1, "srv.key");
		o.client_ca = client_ca;
	}
	struct fc_websrv *w = NULL;
	char err[256];
	cr_assert_eq(fc_websrv_start(&o, metrics, &w, err, sizeof err), 0, "%s", err);
	return w;
}

/* The listening socket of PORT in /proc/net/tcp{,6}: its local address in kernel hex. */
static bool listens_on(const char *file, unsigned port, char *addr, size_t addrlen)
{
	FILE *fp = fopen(file, "r");
	if (!fp)
		return false;
	char line[512];
	bool found = false;
	while (!found && fgets(line, sizeof line, fp)) {
		char local[64];
		unsigned st;
		if (sscanf(line, " %*d: %63s %*s %x", local, &st) != 2 || st != 0x0A)
			continue;
		char *colon = strrchr(local, ':');
		if (colon && strtoul(colon + 1, NULL, 16) == port) {
			*colon = 0;
			snprintf(addr, addrlen, "%s", local);
			found = true;
		}
	}
	fclose(fp);
	return found;
}

Test(webtls, plain_http_binds_to_localhost_by_default)
{
	struct fc_websrv *w = start(false, NULL);
	unsigned port = fc_websrv_port(w);
	char addr[64] = "", url[128];
	cr_assert(listens_on("/proc/net/tcp", port, addr, sizeof addr) ||
			  listens_on("/proc/net/tcp6", port, addr, sizeof addr),
		  "port %u is not listening", port);
	cr_assert_str_eq(addr, "0100007F", "bound to %s, not 127.0.0.1", addr);
	snprintf(url, sizeof url, "http://127.0.0.1:%u/metrics", port);
	cr_assert_eq(get(url, NULL, NULL), 200);
	fc_websrv_stop(w);
}

Test(webtls, https_with_a_test_certificate)
{
	struct fc_websrv *w = start(true, NULL);
	unsigned port = fc_websrv_port(w);
	char url[128];
	snprintf(url, sizeof url, "https://127.0.0.1:%u/metrics", port);
	cr_assert_eq(get(url, NULL, NULL), 200, "HTTPS request verified against the test CA failed");
	/* plain HTTP on the TLS port gets no answer */
	snprintf(url, sizeof url, "http://127.0.0.1:%u/metrics", port);
	cr_assert_neq(get(url, NULL, NULL), 200);
	fc_websrv_stop(w);
}

Test(webtls, client_certificates)
{
	struct fc_websrv *w = start(true, f(2, "ca.pem"));
	unsigned port = fc_websrv_port(w);
	char url[128];
	snprintf(url, sizeof url, "https://127.0.0.1:%u/metrics", port);
	long none = get(url, NULL, NULL);
	cr_assert(none == 403 || none == -1, "no client certificate: status %ld", none);
	long rogue = get(url, f(3, "rogue.pem"), f(4, "rogue.key"));
	cr_assert(rogue == 403 || rogue == -1, "a certificate the CA did not sign: status %ld", rogue);
	cr_assert_eq(get(url, f(3, "cli.pem"), f(4, "cli.key")), 200, "a certificate the CA signed was refused");
	snprintf(url, sizeof url, "https://127.0.0.1:%u/healthz", port);
	long h = get(url, f(3, "cli.pem"), f(4, "cli.key"));
	cr_assert(h == 200 || h == 503, "healthz with a good client certificate: %ld", h);
	fc_websrv_stop(w);
}

Test(webtls, client_ca_needs_tls)
{
	struct fc_websrv_opts o = {.port = 0, .threads = 1, .healthz = "/healthz", .client_ca = f(2, "ca.pem")};
	struct fc_websrv *w = NULL;
	char err[256];
	cr_assert_neq(fc_websrv_start(&o, metrics, &w, err, sizeof err), 0);
	cr_assert(strstr(err, "ssl_enabled"), "%s", err);
	o.tls = true;
	o.cert = f(0, "srv.pem");
	o.key = f(1, "srv.key");
	o.client_ca = f(2, "missing.pem");
	cr_assert_neq(fc_websrv_start(&o, metrics, &w, err, sizeof err), 0);
	cr_assert(strstr(err, "missing.pem"), "%s", err);
}
