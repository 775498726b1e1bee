#ifndef CXMLRPC_H
#define CXMLRPC_H
// xmlrpc-c's client, loaded with dlopen the first time the OpenNebula driver
// calls: the manager links neither xmlrpc-c nor libcurl and the forty-odd
// libraries under it (TLS, Kerberos, LDAP, ...), which cost it about 4 MiB of
// memory at start even on the local cloud. The headers give the types.
#include <xmlrpc-c/base.h>
#include <xmlrpc-c/client.h>

// The functions the driver calls, each named as in xmlrpc-c without "xmlrpc_".
#define CXMLRPC_FUNCTIONS(X) \
    X(env_init) X(env_clean) X(client_setup_global_const) X(limit_set) \
    X(client_create) X(client_destroy) X(server_info_new) X(server_info_free) X(client_call2) X(DECREF) \
    X(int_new) X(i8_new) X(bool_new) X(double_new) X(string_new_lp) X(base64_new) X(nil_new) \
    X(array_new) X(array_append_item) X(struct_new) X(struct_set_value) \
    X(value_type) X(read_int) X(read_i8) X(read_bool) X(read_double) X(read_string_lp) X(read_datetime_str) \
    X(read_base64) X(array_size) X(array_read_item) X(struct_size) X(struct_read_member)

#define CXMLRPC_FIELD(name) __typeof__(xmlrpc_##name) *_Nonnull name;

/// xmlrpc-c's functions, as loaded from libxmlrpc_client.so.3.
struct cxmlrpc_functions {
    CXMLRPC_FUNCTIONS(CXMLRPC_FIELD)
};

/// Loads xmlrpc-c (once; later calls answer the same): its functions, or NULL
/// with the reason in `*error` when the library or a function is missing.
const struct cxmlrpc_functions *_Nullable cxmlrpc_load(const char *_Nullable *_Nonnull error);

#endif
