from speclens.clients.losslessness.cli import main

raise SystemExit(main())
