"""The domain: the simulated platform as data, with no I/O, no HTTP and no simpy.

The state machine and its statuses, the models and their store, the virtual clock's
policies, the timeline, faults as rules, the metadata templates, processors and
security rules, the bounds on input and what a long run keeps.
"""
