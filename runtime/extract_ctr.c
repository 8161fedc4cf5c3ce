/* extract_ctr.c — the container.* and k8s.* field classes (container plugin fields,
 * LANGUAGE.md §13) as far as the node can know them: the id, full id and runtime type from the
 * cgroup paths, "host" outside containers, the pod uid of kubepods paths, whether the
 * container shares the host pid namespace, its start time (pid namespace start); everything
 * else (name, image, labels, mounts, probes, ips, pod fields) from the metadata file or the
 * container events of a capture. What is not known is FC_V_NONE, never an empty string. */
#include "state_int.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool label(const struct fc_kv *kv, uint32_t n, const char *key, struct fc_val *out)
{
	for (uint32_t i = 0; i < n; i++)
		if (!strcmp(kv[i].k->s, key))
			return fc_vrstr(out, kv[i].v);
	return fc_vnone(out);
}

/* "k1:v1,k2:v2" */
static bool labels(struct fc_state *st, const struct fc_kv *kv, uint32_t n, struct fc_val *out)
{
	if (!n)
		return fc_vnone(out);
	size_t tot = 0;
	for (uint32_t i = 0; i < n; i++)
		tot += kv[i].k->len + kv[i].v->len + 2;
	char *d = fc_sarena_alloc(&st->arena, tot + 1);
	if (!d)
		return fc_vnone(out);
	size_t o = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (o)
			d[o++] = ',';
		memcpy(d + o, kv[i].k->s, kv[i].k->len);
		o += kv[i].k->len;
		d[o++] = ':';
		memcpy(d + o, kv[i].v->s, kv[i].v->len);
		o += kv[i].v->len;
	}
	d[o] = 0;
	return fc_vstr(out, d, o);
}

static const char *nz(const struct fc_rstr *r)
{
	return r ? r->s : "";
}

static size_t mount_render(const struct fc_mount *m, char *d, size_t cap)
{
	int n = snprintf(d, cap, "%s:%s:%s:%s:%s", nz(m->source), nz(m->dest), nz(m->mode),
			 m->rw ? "true" : "false", nz(m->propagation));
	return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

/* One mount selected by index, or by a glob on its source (or destination, BY_DEST). */
static const struct fc_mount *pick_mount(const struct fc_ctr_meta *m, const struct fc_fieldspec *f,
					 bool by_dest)
{
	if (!f->has_arg)
		return NULL;
	if (f->arg_is_index)
		return f->index >= 0 && (uint64_t)f->index < m->nmounts ? &m->mounts[f->index] : NULL;
	bool digits = f->arg[0] != 0;
	for (const char *p = f->arg; *p; p++)
		digits &= *p >= '0' && *p <= '9';
	if (digits) {
		unsigned long i = strtoul(f->arg, NULL, 10);
		return i < m->nmounts ? &m->mounts[i] : NULL;
	}
	for (uint32_t i = 0; i < m->nmounts; i++) {
		const struct fc_rstr *k = by_dest ? m->mounts[i].dest : m->mounts[i].source;
		if (k && fnmatch(f->arg, k->s, 0) == 0)
			return &m->mounts[i];
	}
	return NULL;
}

/* Does T (or one of its ancestors in the same container) run the probe command CMD? */
static bool runs_probe(struct fc_state *st, struct fc_thread *t, const struct fc_rstr *cmd)
{
	if (!cmd || !t->ctr)
		return false;
	struct fc_container *c = t->ctr;
	struct fc_thread *a = fc_thread_main(st, t);
	for (unsigned d = 0; a && a->ctr == c && d < 16; d++) {
		size_t el = a->exe ? a->exe->len : 0, al = a->args ? a->args->len : 0;
		if (el <= cmd->len && a->exe && !memcmp(cmd->s, a->exe->s, el)) {
			/* exe, then the arguments separated by spaces */
			bool eq;
			if (al == 0)
				eq = el == cmd->len;
			else {
				eq = el + 1 + al == cmd->len && cmd->s[el] == ' ';
				for (size_t i = 0; eq && i < al; i++)
					eq = a->args->s[i] ? cmd->s[el + 1 + i] == a->args->s[i]
							   : cmd->s[el + 1 + i] == ' ';
			}
			if (eq)
				return true;
		}
		a = fc_thread_parent(st, a);
	}
	return false;
}

bool fc_extract_ctr(struct fc_state *st, const struct fc_fieldspec *f, struct fc_val *out)
{
	struct fc_thread *t = st->t;
	if (!t)
		return fc_vnone(out);
	struct fc_container *c = t->ctr;
	struct fc_ctr_meta *m = c ? c->meta : NULL;
	if (c && !m)
		m = c->meta = fc_container_meta_find(st, c->full_id);
	char *d;
	size_t n;
	switch (f->id) {
	case FC_F_CONTAINER_ID:
		return c ? fc_vstr(out, c->id, strlen(c->id)) : fc_vstr(out, "host", 4);
	case FC_F_CONTAINER_FULL_ID:
		return c ? fc_vstr(out, c->full_id, strlen(c->full_id)) : fc_vstr(out, "host", 4);
	case FC_F_CONTAINER_NAME:
		if (!c)
			return fc_vstr(out, "host", 4);
		return m ? fc_vrstr(out, m->name) : fc_vnone(out);
	case FC_F_CONTAINER_IMAGE:
		return m ? fc_vrstr(out, m->image) : fc_vnone(out);
	case FC_F_CONTAINER_IMAGE_ID:
		return m ? fc_vrstr(out, m->image_id) : fc_vnone(out);
	case FC_F_CONTAINER_TYPE:
		if (!c)
			return fc_vnone(out);
		if (m && m->type)
			return fc_vrstr(out, m->type);
		return fc_vstr(out, c->type, strlen(c->type));
	case FC_F_CONTAINER_PRIVILEGED:
		return m && m->privileged >= 0 ? fc_vu64(out, (uint64_t)m->privileged) : fc_vnone(out);
	case FC_F_CONTAINER_MOUNTS: {
		if (!m || !m->nmounts)
			return fc_vnone(out);
		d = fc_sarena_alloc(&st->arena, 16384);
		if (!d)
			return fc_vnone(out);
		n = 0;
		for (uint32_t i = 0; i < m->nmounts && n < 16000; i++) {
			if (n)
				d[n++] = ' ';
			n += mount_render(&m->mounts[i], d + n, 16384 - n);
		}
		return fc_vstr(out, d, n);
	}
	case FC_F_CONTAINER_MOUNT: {
		const struct fc_mount *mt = m ? pick_mount(m, f, false) : NULL;
		if (!mt || !(d = fc_sarena_alloc(&st->arena, 8192)))
			return fc_vnone(out);
		n = mount_render(mt, d, 8192);
		return fc_vstr(out, d, n);
	}
	case FC_F_CONTAINER_MOUNT_SOURCE: {
		const struct fc_mount *mt = m ? pick_mount(m, f, true) : NULL;
		return mt ? fc_vrstr(out, mt->source) : fc_vnone(out);
	}
	case FC_F_CONTAINER_MOUNT_DEST: {
		const struct fc_mount *mt = m ? pick_mount(m, f, false) : NULL;
		return mt ? fc_vrstr(out, mt->dest) : fc_vnone(out);
	}
	case FC_F_CONTAINER_MOUNT_MODE: {
		const struct fc_mount *mt = m ? pick_mount(m, f, false) : NULL;
		return mt ? fc_vrstr(out, mt->mode) : fc_vnone(out);
	}
	case FC_F_CONTAINER_MOUNT_RDWR: {
		const struct fc_mount *mt = m ? pick_mount(m, f, false) : NULL;
		return mt ? fc_vstr(out, mt->rw ? "true" : "false", mt->rw ? 4 : 5) : fc_vnone(out);
	}
	case FC_F_CONTAINER_MOUNT_PROPAGATION: {
		const struct fc_mount *mt = m ? pick_mount(m, f, false) : NULL;
		return mt ? fc_vrstr(out, mt->propagation) : fc_vnone(out);
	}
	case FC_F_CONTAINER_IMAGE_REPOSITORY:
		return m ? fc_vrstr(out, m->image_repo) : fc_vnone(out);
	case FC_F_CONTAINER_IMAGE_TAG:
		return m ? fc_vrstr(out, m->image_tag) : fc_vnone(out);
	case FC_F_CONTAINER_IMAGE_DIGEST:
		return m ? fc_vrstr(out, m->image_digest) : fc_vnone(out);
	case FC_F_CONTAINER_HEALTHCHECK:
		return m ? fc_vrstr(out, m->healthcheck) : fc_vnone(out);
	case FC_F_CONTAINER_LIVENESS_PROBE:
		return m ? fc_vrstr(out, m->liveness) : fc_vnone(out);
	case FC_F_CONTAINER_READINESS_PROBE:
		return m ? fc_vrstr(out, m->readiness) : fc_vnone(out);
	case FC_F_CONTAINER_START_TS:
	case FC_F_CONTAINER_DURATION: {
		uint64_t ts = m && m->start_ts ? m->start_ts : c ? c->start_ts : 0;
		if (!ts)
			return fc_vnone(out);
		if (f->id == FC_F_CONTAINER_START_TS)
			return fc_vu64(out, ts);
		return st->ev->ts >= ts ? fc_vu64(out, st->ev->ts - ts) : fc_vnone(out);
	}
	case FC_F_CONTAINER_IP:
		return m ? fc_vrstr(out, m->ip) : fc_vnone(out);
	case FC_F_CONTAINER_CNI_JSON:
		return m ? fc_vrstr(out, m->cni_json) : fc_vnone(out);
	case FC_F_CONTAINER_HOST_PID:
		if (!c)
			return fc_vnone(out);
		if (m && m->host_pid >= 0)
			return fc_vu64(out, (uint64_t)m->host_pid);
		/* derivable: a container process whose namespace tid is its host tid */
		return t->vtid >= 0 ? fc_vu64(out, t->vtid == t->tid) : fc_vnone(out);
	case FC_F_CONTAINER_HOST_NETWORK:
		return m && m->host_network >= 0 ? fc_vu64(out, (uint64_t)m->host_network) : fc_vnone(out);
	case FC_F_CONTAINER_HOST_IPC:
		return m && m->host_ipc >= 0 ? fc_vu64(out, (uint64_t)m->host_ipc) : fc_vnone(out);
	case FC_F_CONTAINER_LABEL:
		return m && f->has_arg ? label(m->labels, m->nlabels, f->arg, out) : fc_vnone(out);
	case FC_F_CONTAINER_LABELS:
		return m ? labels(st, m->labels, m->nlabels, out) : fc_vnone(out);
	case FC_F_PROC_IS_CONTAINER_HEALTHCHECK:
		return fc_vu64(out, m && runs_probe(st, t, m->healthcheck));
	case FC_F_PROC_IS_CONTAINER_LIVENESS_PROBE:
		return fc_vu64(out, m && runs_probe(st, t, m->liveness));
	case FC_F_PROC_IS_CONTAINER_READINESS_PROBE:
		return fc_vu64(out, m && runs_probe(st, t, m->readiness));
	case FC_F_K8S_POD_NAME:
		return m ? fc_vrstr(out, m->pod_name) : fc_vnone(out);
	case FC_F_K8S_NS_NAME:
		return m ? fc_vrstr(out, m->pod_ns) : fc_vnone(out);
	case FC_F_K8S_POD_ID:
	case FC_F_K8S_POD_UID:
		if (m && m->pod_uid)
			return fc_vrstr(out, m->pod_uid);
		return c && c->pod_uid[0] ? fc_vstr(out, c->pod_uid, strlen(c->pod_uid)) : fc_vnone(out);
	case FC_F_K8S_POD_SANDBOX_ID:
		if (!m || !m->sandbox_id)
			return fc_vnone(out);
		return fc_vstr(out, m->sandbox_id->s, m->sandbox_id->len < 12 ? m->sandbox_id->len : 12);
	case FC_F_K8S_POD_FULL_SANDBOX_ID:
		return m ? fc_vrstr(out, m->sandbox_id) : fc_vnone(out);
	case FC_F_K8S_POD_LABEL:
		return m && f->has_arg ? label(m->pod_labels, m->npod_labels, f->arg, out) : fc_vnone(out);
	case FC_F_K8S_POD_LABELS:
		return m ? labels(st, m->pod_labels, m->npod_labels, out) : fc_vnone(out);
	case FC_F_K8S_POD_IP:
		return m ? fc_vrstr(out, m->pod_ip) : fc_vnone(out);
	case FC_F_K8S_POD_CNI_JSON:
		return m ? fc_vrstr(out, m->pod_cni_json) : fc_vnone(out);
	default:
		return fc_vnone(out);
	}
}
