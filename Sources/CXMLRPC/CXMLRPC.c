#include "CXMLRPC.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static struct cxmlrpc_functions functions;
static char failure[512];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
    void *library = dlopen("libxmlrpc_client.so.3", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        snprintf(failure, sizeof failure, "%s (install Debian's libxmlrpc-core-c3)", dlerror());
        return;
    }
#define CXMLRPC_LOAD(name)                                                           \
    *(void **)&functions.name = dlsym(library, "xmlrpc_" #name);                      \
    if (*(void **)&functions.name == NULL) {                                          \
        snprintf(failure, sizeof failure, "libxmlrpc_client.so.3 lacks xmlrpc_" #name); \
        return;                                                                       \
    }
    CXMLRPC_FUNCTIONS(CXMLRPC_LOAD)
}

const struct cxmlrpc_functions *cxmlrpc_load(const char **error) {
    pthread_once(&once, load);
    *error = failure[0] != '\0' ? failure : NULL;
    return failure[0] != '\0' ? NULL : &functions;
}
