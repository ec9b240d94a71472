/* A shared object that is not a swio plugin (no swio_plugin_entry). */
int answer(void) { return 42; }
