"""kie-core: a typed client and command line for the video models of KIE.ai."""
