/* http_out.c — the HTTP(S) webhook channel over libcurl (http_out.h). One easy handle per
 * channel, used only by the channel's sink thread; curl's own signal handling is off (we are
 * threaded) and a progress callback aborts a transfer when falcod is shutting down. libcurl is
 * loaded when the first channel is made (dynlib.h), so falcod starts without it. */
#include <curl/curl.h> /* types only: the functions come from dynlib.h */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "dynlib.h"
#include "http_out.h"

struct http {
	CURL *curl;
	struct curl_slist *headers;
	char *url;
	bool compress, echo;
	FILE *echo_stream;
	struct fc_sink *cur; /* the sink of the transfer running now (progress callback) */
	char answer[2048];   /* start of the server's answer */
	size_t alen;
	unsigned char *gz;
	size_t gzcap;
	char curl_err[CURL_ERROR_SIZE];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
	curl_init_rc = fc_curl.global_init(CURL_GLOBAL_DEFAULT);
}

static size_t on_answer(char *p, size_t size, size_t n, void *ctx)
{
	struct http *h = ctx;
	size_t len = size * n, room = sizeof h->answer - 1 - h->alen;
	size_t take = len < room ? len : room;
	memcpy(h->answer + h->alen, p, take);
	h->alen += take;
	h->answer[h->alen] = 0;
	return len;
}

static int on_progress(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	(void)dt, (void)dn, (void)ut, (void)un;
	struct http *h = ctx;
	return h->cur && fc_sink_closing(h->cur) ? 1 : 0;
}

static void http_free(void *ctx)
{
	struct http *h = ctx;
	if (!h)
		return;
	if (h->curl)
		fc_curl.easy_cleanup(h->curl);
	fc_curl.slist_free_all(h->headers);
	free(h->url);
	free(h->gz);
	free(h);
}

/* gzip of BODY into h->gz; false when zlib fails (then the body goes uncompressed). */
static bool gzip_body(struct http *h, const char *body, size_t len, size_t *out)
{
	size_t need = compressBound((uLong)len) + 32;
	if (need > h->gzcap) {
		unsigned char *p = realloc(h->gz, need);
		if (!p)
			return false;
		h->gz = p;
		h->gzcap = need;
	}
	z_stream z = {0};
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return false;
	z.next_in = (Bytef *)body;
	z.avail_in = (uInt)len;
	z.next_out = h->gz;
	z.avail_out = (uInt)h->gzcap;
	int rc = deflate(&z, Z_FINISH);
	*out = z.total_out;
	deflateEnd(&z);
	return rc == Z_STREAM_END;
}

static bool permanent(CURLcode c)
{
	switch (c) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CIPHER:
	case CURLE_LOGIN_DENIED: return true;
	default: return false;
	}
}

static int http_send(void *ctx, struct fc_sink *s, const struct fc_sink_msg *m, char *err, size_t errlen)
{
	struct http *h = ctx;
	const void *body = m->body;
	size_t len = m->len, zlen;
	bool gz = h->compress && gzip_body(h, m->body, m->len, &zlen);
	if (gz) {
		body = h->gz;
		len = zlen;
	}
	/* The gzip header is set per request: the list holds it only when the body is gzipped. */
	struct curl_slist *hdrs = h->headers, *gzh = NULL;
	if (gz) {
		gzh = fc_curl.slist_append(NULL, "Content-Encoding: gzip");
		if (gzh) {
			gzh->next = h->headers;
			hdrs = gzh;
		}
	}
	fc_curl.easy_setopt(h->curl, CURLOPT_HTTPHEADER, hdrs);
	fc_curl.easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
	fc_curl.easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	h->alen = 0;
	h->answer[0] = 0;
	h->curl_err[0] = 0;
	h->cur = s;
	CURLcode rc = fc_curl.easy_perform(h->curl);
	h->cur = NULL;
	if (gzh) {
		gzh->next = NULL;
		fc_curl.slist_free_all(gzh);
	}
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "POST %s: %s", h->url, h->curl_err[0] ? h->curl_err : fc_curl.easy_strerror(rc));
		return permanent(rc) ? FC_SINK_FAIL : FC_SINK_RETRY;
	}
	long status = 0;
	fc_curl.easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
	if (h->echo && h->alen) {
		fwrite(h->answer, 1, h->alen, h->echo_stream);
		fputc('\n', h->echo_stream);
		fflush(h->echo_stream);
	}
	if (status >= 200 && status < 300)
		return FC_SINK_OK;
	/* Keep the reason one line. */
	for (char *p = h->answer; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	snprintf(err, errlen, "POST %s: HTTP %ld%s%.200s", h->url, status, h->alen ? ": " : "", h->answer);
	return status == 408 || status == 429 || status >= 500 ? FC_SINK_RETRY : FC_SINK_FAIL;
}

static const struct fc_sink_ops http_ops = {.name = "http", .send = http_send, .free = http_free};

#define SET(opt, val)                                                                                                  \
	do {                                                                                                           \
		if (ok && fc_curl.easy_setopt(h->curl, opt, val) != CURLE_OK) {                                           \
			snprintf(err, errlen, "http_output: libcurl refused %s", #opt);                                \
			ok = false;                                                                                    \
		}                                                                                                      \
	} while (0)

static bool set(const char *s)
{
	return s && *s;
}

int fc_http_sink_new(const struct fc_http_opts *o, const struct fc_sink_opts *so, struct fc_sink **out, char *err,
		     size_t errlen)
{
	char why[512];
	if (fc_dl_load(FC_DL_CURL, why, sizeof why) != 0) {
		snprintf(err, errlen, "http_output: %s", why);
		return -1;
	}
	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK) {
		snprintf(err, errlen, "http_output: libcurl initialisation failed: %s", fc_curl.easy_strerror(curl_init_rc));
		return -1;
	}
	struct http *h = calloc(1, sizeof *h);
	if (!h || !(h->curl = fc_curl.easy_init()) || !(h->url = strdup(o->url ? o->url : ""))) {
		http_free(h);
		snprintf(err, errlen, "http_output: out of memory");
		return -1;
	}
	h->compress = o->compress;
	h->echo = o->echo;
	h->echo_stream = o->echo_stream ? o->echo_stream : stdout;
	char ua[300];
	snprintf(ua, sizeof ua, "User-Agent: %s", set(o->user_agent) ? o->user_agent : "falcod");
	/* No "Expect: 100-continue" round trip before bodies over 1 KiB. */
	const char *hl[] = {"Content-Type: application/json", "Accept: */*", "Expect:", ua};
	for (size_t i = 0; i < sizeof hl / sizeof hl[0]; i++) {
		struct curl_slist *l = fc_curl.slist_append(h->headers, hl[i]);
		if (!l) {
			http_free(h);
			snprintf(err, errlen, "http_output: out of memory");
			return -1;
		}
		h->headers = l;
	}
	bool ok = true;
	SET(CURLOPT_URL, h->url);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_POST, 1L);
	SET(CURLOPT_HTTPHEADER, h->headers);
	SET(CURLOPT_WRITEFUNCTION, on_answer);
	SET(CURLOPT_WRITEDATA, h);
	SET(CURLOPT_ERRORBUFFER, h->curl_err);
	SET(CURLOPT_NOPROGRESS, 0L);
	SET(CURLOPT_XFERINFOFUNCTION, on_progress);
	SET(CURLOPT_XFERINFODATA, h);
	SET(CURLOPT_TIMEOUT_MS, (long)(o->timeout_ms ? o->timeout_ms : 5000));
	SET(CURLOPT_CONNECTTIMEOUT_MS, (long)(o->connect_timeout_ms ? o->connect_timeout_ms : 2000));
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
	SET(CURLOPT_FORBID_REUSE, o->keep_alive ? 0L : 1L);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_SSL_VERIFYPEER, o->insecure ? 0L : 1L);
	SET(CURLOPT_SSL_VERIFYHOST, o->insecure ? 0L : 2L);
	if (set(o->ca_cert))
		SET(CURLOPT_CAINFO, o->ca_cert);
	else if (set(o->ca_bundle))
		SET(CURLOPT_CAINFO, o->ca_bundle);
	if (set(o->ca_path))
		SET(CURLOPT_CAPATH, o->ca_path);
	if (o->mtls) {
		SET(CURLOPT_SSLCERT, o->client_cert);
		SET(CURLOPT_SSLKEY, o->client_key);
	}
	if (!ok) {
		http_free(h);
		return -1;
	}
	return fc_sink_new(&http_ops, h, so, out, err, errlen);
}
