"""Real client libraries of the platform, run unmodified against a live simulator.

Each client gets an environment of its own (its Python, its pinned version, from the
package registry), built once and cached; a script of calls runs in it as a process.
"""
