#ifndef CXMLRPC_SHIM_H
#define CXMLRPC_SHIM_H
#include <xmlrpc-c/base.h>
#include <xmlrpc-c/client.h>
#endif
