"""The evaluation core: transaction -> facts -> executors -> decision -> trace. Imports no capability."""
