// tsyringe needs the Reflect metadata API before it loads.
import 'reflect-metadata';
