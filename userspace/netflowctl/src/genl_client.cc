#include "genl_client.h"

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <cerrno>
#include <cstring>

#include "netflow_genl.h"
#include "parse.h"

namespace nfctl {

namespace {

Error Errno(int e, const std::string &what) { return Error{e, what + ": " + std::strerror(e)}; }

}  // namespace

struct GenlClient::Request {
  int cmd = 0;
  bool dump = false;
  std::function<bool(nl_msg *)> build;
  std::function<bool(const nlattr *, int, std::string *)> on_msg;  // false: malformed
  int kernel_errno = 0;
  bool done = false;
  std::string parse_error;
  unsigned long messages = 0;
};

GenlClient::~GenlClient() {
  if (sk_) nl_socket_free(sk_);
}

Error GenlClient::Open() {
  sk_ = nl_socket_alloc();
  if (!sk_) return Errno(ENOMEM, "netlink socket");
  int rc = genl_connect(sk_);
  if (rc < 0) return Error{EIO, std::string("cannot open a generic netlink socket: ") + nl_geterror(rc)};
  nl_socket_set_buffer_size(sk_, 4 << 20, 0);
  nl_socket_set_msg_buf_size(sk_, 65536);
  nl_socket_enable_msg_peek(sk_);
  family_ = genl_ctrl_resolve(sk_, NETFLOW_GENL_NAME);
  if (family_ < 0)
    return Error{ENOENT, "the ipt_NETFLOW module is not loaded (no generic netlink family \"" NETFLOW_GENL_NAME
                         "\"; modprobe ipt_NETFLOW)"};
  return Error{};
}

Error GenlClient::Run(Request *r) {
  nl_msg *msg = nlmsg_alloc();
  if (!msg) return Errno(ENOMEM, "netlink message");
  int flags = r->dump ? NLM_F_DUMP : NLM_F_ACK;
  if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family_, 0, flags, static_cast<uint8_t>(r->cmd),
                   NETFLOW_GENL_VERSION) ||
      (r->build && !r->build(msg))) {
    nlmsg_free(msg);
    return Error{EMSGSIZE, "request does not fit in a netlink message"};
  }
  int rc = nl_send_auto(sk_, msg);
  nlmsg_free(msg);
  if (rc < 0) return Error{EIO, std::string("netlink send: ") + nl_geterror(rc)};

  nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
  if (!cb) return Errno(ENOMEM, "netlink callbacks");
  nl_cb_set(
      cb, NL_CB_VALID, NL_CB_CUSTOM,
      [](nl_msg *m, void *arg) -> int {
        auto *req = static_cast<Request *>(arg);
        req->messages++;
        genlmsghdr *g = genlmsg_hdr(nlmsg_hdr(m));
        if (!req->on_msg(genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), &req->parse_error)) return NL_STOP;
        return NL_OK;
      },
      r);
  nl_cb_set(
      cb, NL_CB_ACK, NL_CB_CUSTOM,
      [](nl_msg *, void *arg) -> int {
        static_cast<Request *>(arg)->done = true;
        return NL_STOP;
      },
      r);
  nl_cb_set(
      cb, NL_CB_FINISH, NL_CB_CUSTOM,
      [](nl_msg *, void *arg) -> int {
        static_cast<Request *>(arg)->done = true;
        return NL_STOP;
      },
      r);
  nl_cb_err(
      cb, NL_CB_CUSTOM,
      [](sockaddr_nl *, nlmsgerr *e, void *arg) -> int {
        auto *req = static_cast<Request *>(arg);
        req->kernel_errno = -e->error;
        req->done = true;
        return NL_STOP;
      },
      r);
  Error out;
  while (!r->done && r->parse_error.empty()) {
    rc = nl_recvmsgs(sk_, cb);
    if (r->kernel_errno || !r->parse_error.empty()) break;
    if (rc < 0) {
      out = Error{EIO, std::string("netlink receive: ") + nl_geterror(rc)};
      break;
    }
  }
  nl_cb_put(cb);
  if (r->kernel_errno) return Error{r->kernel_errno, std::strerror(r->kernel_errno)};
  if (!r->parse_error.empty()) return Error{EPROTO, "malformed answer from the kernel: " + r->parse_error};
  return out;
}

Error GenlClient::GetStats(Stats *out) {
  Request r;
  r.cmd = NETFLOW_CMD_GET_STATS;
  bool got = false;
  r.on_msg = [&](const nlattr *a, int len, std::string *err) {
    got = true;
    return ParseStats(a, len, out, err);
  };
  Error e = Run(&r);
  if (e.ok() && !got) return Error{EPROTO, "the kernel sent no statistics"};
  return e;
}

Error GenlClient::GetParams(const std::string *name, std::vector<Param> *out) {
  Request r;
  r.cmd = NETFLOW_CMD_GET_PARAMS;
  if (name) r.build = [&](nl_msg *m) { return PutParam(m, *name, nullptr); };
  r.on_msg = [&](const nlattr *a, int len, std::string *err) { return ParseParams(a, len, out, err); };
  return Run(&r);
}

Error GenlClient::SetParam(const std::string &name, const std::string &value) {
  Request r;
  r.cmd = NETFLOW_CMD_SET_PARAM;
  r.build = [&](nl_msg *m) { return PutParam(m, name, &value); };
  r.on_msg = [](const nlattr *, int, std::string *) { return true; };
  return Run(&r);
}

Error GenlClient::DumpFlows(const std::function<void(const Flow &)> &fn, unsigned long *messages) {
  Request r;
  r.cmd = NETFLOW_CMD_GET_FLOWS;
  r.dump = true;
  r.on_msg = [&](const nlattr *a, int len, std::string *err) {
    Flow f;
    if (!ParseFlow(a, len, &f, err)) return false;
    fn(f);
    return true;
  };
  Error e = Run(&r);
  if (messages) *messages = r.messages;
  return e;
}

Error GenlClient::Monitor(const std::function<void(const Param &)> &fn, unsigned long count) {
  int grp = genl_ctrl_resolve_grp(sk_, NETFLOW_GENL_NAME, NETFLOW_GENL_MCGRP_CONFIG);
  if (grp < 0) return Error{ENOENT, "the module has no \"" NETFLOW_GENL_MCGRP_CONFIG "\" group"};
  int rc = nl_socket_add_membership(sk_, grp);
  if (rc < 0) return Error{EIO, std::string("cannot join the config group: ") + nl_geterror(rc)};
  struct Ctx {
    const std::function<void(const Param &)> *fn;
    unsigned long left;
    std::string err;
  } ctx{&fn, count, ""};
  nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
  if (!cb) return Errno(ENOMEM, "netlink callbacks");
  // notifications carry sequence number 0: no sequence check on this cb
  nl_cb_set(
      cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, [](nl_msg *, void *) -> int { return NL_OK; }, nullptr);
  nl_cb_set(
      cb, NL_CB_VALID, NL_CB_CUSTOM,
      [](nl_msg *m, void *arg) -> int {
        auto *c = static_cast<Ctx *>(arg);
        genlmsghdr *g = genlmsg_hdr(nlmsg_hdr(m));
        if (g->cmd != NETFLOW_CMD_PARAM_CHANGED) return NL_OK;
        std::vector<Param> ps;
        if (!ParseParams(genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), &ps, &c->err)) return NL_STOP;
        for (const auto &p : ps) (*c->fn)(p);
        if (c->left && --c->left == 0) return NL_STOP;
        return NL_OK;
      },
      &ctx);
  Error out;
  for (;;) {
    rc = nl_recvmsgs(sk_, cb);
    if (!ctx.err.empty()) {
      out = Error{EPROTO, "malformed notification: " + ctx.err};
      break;
    }
    if (count && ctx.left == 0) break;
    if (rc < 0 && rc != -NLE_INTR && rc != -NLE_AGAIN) {
      out = Error{EIO, std::string("netlink receive: ") + nl_geterror(rc)};
      break;
    }
  }
  nl_cb_put(cb);
  return out;
}

}  // namespace nfctl
