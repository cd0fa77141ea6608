// Decoding the NETFLOW family's messages (attribute payload of one generic
// netlink message, after the genl header) into model.h values, and building
// the request attributes.  Uses libnl's attribute helpers only: no socket,
// so unit tests feed it messages built in memory.
#pragma once

#include <netlink/attr.h>
#include <netlink/msg.h>

#include <string>
#include <vector>

#include "model.h"

namespace nfctl {

// Each returns false (with *err) when the payload is malformed.
bool ParseStats(const nlattr *attrs, int len, Stats *out, std::string *err);
bool ParseFlow(const nlattr *attrs, int len, Flow *out, std::string *err);
bool ParseParams(const nlattr *attrs, int len, std::vector<Param> *out, std::string *err);

// Request attributes: PARAM_NAME [+ PARAM_VALUE]; false if the message is full.
bool PutParam(nl_msg *msg, const std::string &name, const std::string *value);

}  // namespace nfctl
